package ui

import (
	"net/http"
	"net/url"

	"github.com/gorilla/mux"
)

// followDelete ends the viewer's follow of a local account and goes back to its profile.
func (h *handler) followDelete(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	acct, err := h.social.Accounts.ByUsername(ctx, mux.Vars(r)["username"])
	if err != nil {
		return err
	}
	if err := h.social.Follows.Unfollow(ctx, viewer(r), acct.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(acct.Username)+"?notice=unfollowed", http.StatusSeeOther)
	return nil
}
