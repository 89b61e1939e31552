package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// adminUserRole changes an account's role; social refuses to demote the last admin.
func (h *handler) adminUserRole(w http.ResponseWriter, r *http.Request) error {
	role := model.Role(r.PostFormValue("role"))
	err := h.social.Accounts.SetRole(r.Context(), viewer(r), mux.Vars(r)["id"], role)
	if ve, ok := social.AsValidation(err); ok {
		return h.adminRefused(w, r, ve)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, adminReturn(r, "role_changed"), http.StatusSeeOther)
	return nil
}
