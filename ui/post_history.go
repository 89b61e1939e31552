package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/gorilla/mux"
)

// historyPage lists the earlier versions of a post.
type historyPage struct {
	Page
	ID    string
	Edits []*model.PostEdit
}

// postHistory shows a post's earlier versions, newest first.
func (h *handler) postHistory(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	edits, err := h.social.Posts.History(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "post_history", &historyPage{Page: Page{Title: "title.post_history"}, ID: id, Edits: edits})
	return nil
}
