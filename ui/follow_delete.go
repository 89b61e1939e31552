package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// followDelete ends the viewer's follow of an account, or withdraws a follow request
// still waiting for another node, and goes back to its profile.
func (h *handler) followDelete(w http.ResponseWriter, r *http.Request) error {
	ctx, v, handle := r.Context(), viewer(r), mux.Vars(r)["username"]
	acct, err := h.social.Accounts.ByHandle(ctx, handle)
	if err != nil {
		return remoteError(handle, err)
	}
	_, pending, err := h.social.Follows.State(ctx, v, acct.ID)
	if err != nil {
		return err
	}
	if err := h.social.Follows.Unfollow(ctx, v, acct.ID); err != nil {
		return err
	}
	notice := "unfollowed"
	if pending {
		notice = "follow_withdrawn"
	}
	http.Redirect(w, r, profilePath(acct)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
