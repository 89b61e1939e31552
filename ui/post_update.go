package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// postUpdate saves an edited post; the earlier version goes to its history.
func (h *handler) postUpdate(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	source := r.PostFormValue("source")
	post, err := h.social.Posts.Edit(r.Context(), viewer(r), id, source)
	if err != nil {
		if ve, ok := social.AsValidation(err); ok {
			h.render(w, r, http.StatusUnprocessableEntity, "post_edit", &postEditPage{
				Page: Page{Title: "title.post_edit", Errors: ve.Fields}, ID: id, Source: source,
			})
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/posts/"+post.ID+"?notice=saved", http.StatusSeeOther)
	return nil
}
