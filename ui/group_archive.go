package ui

import (
	"net/http"
)

// groupArchive archives or restores a group; social lets its owner and node admins only.
func (h *handler) groupArchive(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	archived := r.PostFormValue("archived") == "true"
	if err := h.social.Groups.SetArchived(r.Context(), viewer(r), gv.Group.ID, archived); err != nil {
		return err
	}
	notice := "group_unarchived"
	if archived {
		notice = "group_archived"
	}
	http.Redirect(w, r, groupPath(gv.Group)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
