package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// postDelete removes a post (author or admin); a deleted comment returns to its thread.
func (h *handler) postDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := h.social.Posts.View(r.Context(), viewer(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	if err := h.social.Posts.Delete(r.Context(), viewer(r), v.Post.ID); err != nil {
		return err
	}
	if v.Post.RootID != nil {
		http.Redirect(w, r, "/posts/"+*v.Post.RootID+"?notice=deleted", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/?notice=deleted", http.StatusSeeOther)
	return nil
}
