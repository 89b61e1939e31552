package ui

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// loginSubmit checks the credentials and opens a session. Every refusal shows the same
// message, so the form does not reveal which usernames exist.
func (h *handler) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := checkPreSessionCSRF(r); err != nil {
		return err
	}
	username := r.PostFormValue("username")
	next := localPath(r.PostFormValue("next"))
	secret, err := h.social.Auth.Login(r.Context(), username, r.PostFormValue("password"), r.UserAgent(), clientIP(r))
	if err != nil {
		page := &loginPage{Page: Page{Title: "title.login"}, Username: username, Next: next}
		switch {
		case errors.Is(err, social.ErrInvalidLogin):
			page.Failure = "error.login.invalid"
			h.render(w, r, http.StatusUnauthorized, "login", page)
		case errors.Is(err, social.ErrAccountExpired):
			page.Failure = "error.login.expired"
			h.render(w, r, http.StatusForbidden, "login", page)
		case errors.Is(err, social.ErrRateLimited):
			page.Failure = "error.login.rate_limited"
			w.Header().Set("Retry-After", "60")
			h.render(w, r, http.StatusTooManyRequests, "login", page)
		default:
			return err
		}
		return nil
	}
	h.setSessionCookie(w, secret)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
