package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// postEditPage is the edit form of a post.
type postEditPage struct {
	Page
	ID     string
	Source string
}

// postEdit shows the edit form to the post's author.
func (h *handler) postEdit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.social.Posts.View(r.Context(), viewer(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	if !v.CanEdit {
		return errForbidden
	}
	h.render(w, r, http.StatusOK, "post_edit", &postEditPage{Page: Page{Title: "title.post_edit"}, ID: v.Post.ID, Source: v.Post.Source})
	return nil
}
