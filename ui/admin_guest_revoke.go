package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// adminGuestRevoke ends a guest's access now: sessions and tokens included.
func (h *handler) adminGuestRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := h.social.Guests.Revoke(r.Context(), viewer(r), mux.Vars(r)["id"]); err != nil {
		return err
	}
	http.Redirect(w, r, adminReturn(r, "guest_revoked"), http.StatusSeeOther)
	return nil
}
