package ui

import (
	"net/http"
	"net/url"

	"github.com/gorilla/mux"
)

// followCreate makes the viewer follow a local account and goes back to its profile.
func (h *handler) followCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	acct, err := h.social.Accounts.ByUsername(ctx, mux.Vars(r)["username"])
	if err != nil {
		return err
	}
	if err := h.social.Follows.Follow(ctx, viewer(r), acct.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(acct.Username)+"?notice=followed", http.StatusSeeOther)
	return nil
}
