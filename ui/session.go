package ui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// sessionCookie holds the secret whose hash names the server-side session.
const sessionCookie = "atrium_session"

type ctxKey int

const currentKey ctxKey = iota

// current is the logged-in session of a request.
type current struct {
	sess *model.Session
	acct *model.Account
}

func currentOf(r *http.Request) *current {
	c, _ := r.Context().Value(currentKey).(*current)
	return c
}

// viewer is the logged-in account; handlers behind h.member may rely on it.
func viewer(r *http.Request) *model.Account {
	if c := currentOf(r); c != nil {
		return c.acct
	}
	return nil
}

// withSession attaches the session named by the cookie, if valid, to the request; a
// stale cookie is cleared.
func (h *handler) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, acct, err := h.social.Auth.Session(r.Context(), ck.Value)
		switch {
		case err == nil:
			r = r.WithContext(context.WithValue(r.Context(), currentKey, &current{sess: sess, acct: acct}))
		case errors.Is(err, social.ErrNotFound):
			h.clearSessionCookie(w)
		default:
			h.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *handler) setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: h.cfg.Secure(),
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.sessionTTL() / time.Second),
	})
}

func (h *handler) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: h.cfg.Secure(),
		SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

func (h *handler) sessionTTL() time.Duration {
	if h.cfg.SessionTTL.Duration > 0 {
		return h.cfg.SessionTTL.Duration
	}
	return 30 * 24 * time.Hour
}

// loginRedirect sends a visitor without a session to the login page, remembering where
// they wanted to go.
func loginRedirect(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next if it is a path on this node, else "/": a login link must not
// become an open redirect.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// clientIP is the peer address used for login rate limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
