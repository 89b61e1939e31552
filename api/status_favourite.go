package api

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/gorilla/mux"
)

// statusFavourite likes a visible post and returns it with the new count. Liking twice
// changes nothing.
func (h *handler) statusFavourite(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	return h.react(w, r, viewer, true)
}

// statusUnfavourite takes the viewer's like back; without one it changes nothing.
func (h *handler) statusUnfavourite(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	return h.react(w, r, viewer, false)
}

// react sets or clears the viewer's like ("favourite" in Mastodon's words).
func (h *handler) react(w http.ResponseWriter, r *http.Request, viewer *model.Account, on bool) error {
	id := mux.Vars(r)["id"]
	if err := h.social.Posts.React(r.Context(), viewer, id, model.ReactionLike, on); err != nil {
		return err
	}
	st, _, err := h.viewStatus(r, viewer, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
