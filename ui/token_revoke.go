package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// tokenRevoke revokes one of the viewer's tokens; another account's token is not found.
func (h *handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := h.social.Tokens.Revoke(r.Context(), viewer(r).ID, mux.Vars(r)["id"]); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/tokens?notice=token_revoked", http.StatusSeeOther)
	return nil
}
