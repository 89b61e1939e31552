package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// passwordUpdate changes the viewer's password and logs out their other sessions. Password fields are never filled back
// into the form, so an invalid submission shows only the errors.
func (h *handler) passwordUpdate(w http.ResponseWriter, r *http.Request) error {
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	if newPw != r.PostFormValue("confirm") {
		h.renderAccount(w, r, http.StatusUnprocessableEntity, map[string]string{"confirm": "error.password.mismatch"})
		return nil
	}
	err := h.social.Auth.ChangePassword(r.Context(), viewer(r), currentOf(r).sess.ID, oldPw, newPw)
	if ve, ok := social.AsValidation(err); ok {
		h.renderAccount(w, r, http.StatusUnprocessableEntity, ve.Fields)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/account?notice=password_changed", http.StatusSeeOther)
	return nil
}
