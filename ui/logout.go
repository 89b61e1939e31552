package ui

import "net/http"

// logout ends the session on the server and in the browser.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if err := h.social.Auth.Logout(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	h.clearSessionCookie(w)
	http.Redirect(w, r, "/login?notice=logged_out", http.StatusSeeOther)
	return nil
}
