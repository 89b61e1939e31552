package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// adminUserActive deactivates (active=false) or reactivates (active=true) an account.
// Deactivation ends the account's sessions and revokes its tokens; admins cannot
// deactivate themselves.
func (h *handler) adminUserActive(w http.ResponseWriter, r *http.Request) error {
	var active bool
	switch r.PostFormValue("active") {
	case "true":
		active = true
	case "false":
	default:
		return errBadRequest
	}
	err := h.social.Accounts.SetActive(r.Context(), viewer(r), mux.Vars(r)["id"], active)
	if ve, ok := social.AsValidation(err); ok {
		return h.adminRefused(w, r, ve)
	} else if err != nil {
		return err
	}
	notice := "deactivated"
	if active {
		notice = "reactivated"
	}
	http.Redirect(w, r, adminReturn(r, notice), http.StatusSeeOther)
	return nil
}
