package api

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// statusGet returns one post or comment the viewer may see; others are 404 whether or not
// they exist.
func (h *handler) statusGet(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	st, _, err := h.viewStatus(r, viewer, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// viewStatus loads a visible post as a Status, with the view it was made from.
func (h *handler) viewStatus(r *http.Request, viewer *model.Account, id string) (Status, *social.PostView, error) {
	v, err := h.social.Posts.View(r.Context(), viewer, id)
	if err != nil {
		return Status{}, nil, err
	}
	parentAuthor, err := h.replyAuthor(r, viewer, v.Post)
	if err != nil {
		return Status{}, nil, err
	}
	st, err := h.presenter(r.Context()).status(v, parentAuthor)
	return st, v, err
}
