package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// invitationRevoke withdraws a pending invitation of the viewer's (any, for admins).
func (h *handler) invitationRevoke(w http.ResponseWriter, r *http.Request) error {
	err := h.social.Invitations.Revoke(r.Context(), viewer(r), mux.Vars(r)["id"])
	if _, ok := social.AsValidation(err); ok {
		http.Redirect(w, r, "/invitations?notice=invitation_not_pending", http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/invitations?notice=invitation_revoked", http.StatusSeeOther)
	return nil
}
