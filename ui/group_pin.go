package ui

import (
	"net/http"
)

// groupPin pins a post of the group to the top of its page, or unpins it; social lets
// moderators only.
func (h *handler) groupPin(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	pinned := r.PostFormValue("pinned") == "true"
	if err := h.social.Groups.Pin(r.Context(), viewer(r), gv.Group.ID, r.PostFormValue("post_id"), pinned); err != nil {
		return err
	}
	notice := "group_unpinned"
	if pinned {
		notice = "group_pinned"
	}
	http.Redirect(w, r, groupPath(gv.Group)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
