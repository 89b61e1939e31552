package ui

import "net/http"

// groupRefresh asks the sibling nodes for their groups, so the directory lists them.
func (h *handler) groupRefresh(w http.ResponseWriter, r *http.Request) error {
	_, asked, err := h.social.Groups.RefreshDirectory(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	notice := "groups_refreshed"
	if !asked {
		notice = "groups_refresh_later"
	}
	http.Redirect(w, r, "/groups?notice="+notice, http.StatusSeeOther)
	return nil
}
