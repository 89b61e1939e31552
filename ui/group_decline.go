package ui

import "net/http"

// groupDecline declines the viewer's invitation to a group, of this node or another;
// social tells the other node. Without an invitation it is 404.
func (h *handler) groupDecline(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	if err := h.social.Groups.DeclineInvitation(r.Context(), viewer(r), gv.Group.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/groups?notice=group_invitation_declined", http.StatusSeeOther)
	return nil
}
