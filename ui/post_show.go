package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// postPage is a post with its comments and the comment form.
type postPage struct {
	Page
	V *social.PostView
	// ParentID links a comment back to its thread.
	ParentID string
	Source   string
}

// postShow shows a post and its comments, if the viewer may see it.
func (h *handler) postShow(w http.ResponseWriter, r *http.Request) error {
	v, err := h.social.Posts.View(r.Context(), viewer(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	page := &postPage{Page: Page{Title: "title.post"}, V: v}
	if v.Post.InReplyToID != nil {
		page.ParentID = *v.Post.InReplyToID
	}
	h.render(w, r, http.StatusOK, "post", page)
	return nil
}
