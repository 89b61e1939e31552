package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// followCreate makes the viewer follow an account, local or on another node, and goes
// back to its profile. A remote follow waits for the other node: the notice says so.
func (h *handler) followCreate(w http.ResponseWriter, r *http.Request) error {
	ctx, v, handle := r.Context(), viewer(r), mux.Vars(r)["username"]
	acct, err := h.social.Accounts.ByHandle(ctx, handle)
	if err != nil {
		return remoteError(handle, err)
	}
	if err := h.social.Follows.Follow(ctx, v, acct.ID); err != nil {
		return err
	}
	notice := "followed"
	if _, pending, err := h.social.Follows.State(ctx, v, acct.ID); err != nil {
		return err
	} else if pending {
		notice = "follow_requested"
	}
	http.Redirect(w, r, profilePath(acct)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
