package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// setupSubmit creates the first admin and logs them in. The link is claimed for the
// duration of the attempt, so two browsers cannot both create an admin with it.
func (h *handler) setupSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := checkPreSessionCSRF(r); err != nil {
		return err
	}
	token := r.PostFormValue("token")
	if !h.setup.claim(token) {
		return errNotFound
	}
	if exists, err := h.social.Accounts.AdminExists(r.Context()); err != nil || exists {
		if err != nil {
			h.setup.release()
			return err
		}
		return errNotFound
	}
	form := setupForm{
		Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Email: r.PostFormValue("email"),
	}
	password := r.PostFormValue("password")
	_, err := h.social.Accounts.Create(r.Context(), social.NewAccount{
		Username: form.Username, Email: form.Email, Password: password,
		DisplayName: form.DisplayName, Role: model.RoleAdmin,
	})
	if err != nil {
		h.setup.release()
		if ve, ok := social.AsValidation(err); ok {
			h.render(w, r, http.StatusUnprocessableEntity, "setup", &setupPage{
				Page: Page{Title: "title.setup", Errors: ve.Fields}, Token: token, Form: form,
			})
			return nil
		}
		return err
	}
	h.log.InfoContext(r.Context(), "first admin created", "username", form.Username)
	secret, err := h.social.Auth.Login(r.Context(), form.Username, password, r.UserAgent(), clientIP(r))
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	h.setSessionCookie(w, secret)
	http.Redirect(w, r, "/?notice=welcome", http.StatusSeeOther)
	return nil
}
