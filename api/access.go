package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// handlerFunc is an action that needs no identity; it returns the error to answer with.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authedFunc is an action run on behalf of the token's account.
type authedFunc func(w http.ResponseWriter, r *http.Request, viewer *model.Account) error

// challenge is the WWW-Authenticate value of every 401 (RFC 6750).
const challenge = `Bearer realm="Atrium"`

// plain adapts an action that needs no token (only the not-found and 405 answers).
func (h *handler) plain(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// authed lets the request through only with a live personal access token of an active
// account, caps the request body, and answers any error the action returns.
func (h *handler) authed(fn authedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", challenge)
			h.fail(w, r, newError(http.StatusUnauthorized, "The access token is missing"))
			return
		}
		viewer, err := h.social.Tokens.Authenticate(r.Context(), token)
		if errors.Is(err, social.ErrNotFound) {
			// Unknown, revoked, and deactivated-account tokens look the same to the caller.
			w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token"`)
			h.fail(w, r, newError(http.StatusUnauthorized, "The access token is invalid"))
			return
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.readBody(w, r); err != nil {
			h.fail(w, r, err)
			return
		}
		if err := fn(w, r, viewer); err != nil {
			h.fail(w, r, err)
		}
	})
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header. Tokens in
// the query string are not accepted: they end up in access logs and browser history.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
