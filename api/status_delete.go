package api

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/gorilla/mux"
)

// statusDelete deletes a post (with its comments) or a comment. The author and admins
// may; others get 403 for what they can see and 404 for what they cannot. Like Mastodon
// it answers with the deleted status, including its source text.
func (h *handler) statusDelete(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	id := mux.Vars(r)["id"]
	st, v, err := h.viewStatus(r, viewer, id)
	if err != nil {
		return err
	}
	if err := h.social.Posts.Delete(r.Context(), viewer, id); err != nil {
		return err
	}
	st.Text = &v.Post.Source
	writeJSON(w, http.StatusOK, st)
	return nil
}
