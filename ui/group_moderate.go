package ui

import (
	"net/http"

	"github.com/gorilla/mux"
)

// groupModerate approves (publishes) or rejects (deletes) a pending post and goes back to
// the queue; social checks that the viewer moderates the post's group.
func (h *handler) groupModerate(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	approve := r.PostFormValue("approve") == "true"
	if err := h.social.Groups.Moderate(r.Context(), viewer(r), mux.Vars(r)["id"], approve); err != nil {
		return err
	}
	notice := "group_post_rejected"
	if approve {
		notice = "group_post_approved"
	}
	http.Redirect(w, r, groupPath(gv.Group)+"/moderation?notice="+notice, http.StatusSeeOther)
	return nil
}
