package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
)

// groupJoin joins an open group, asks to join a closed one or accepts an invitation;
// social decides which, and refuses banned people and archived groups.
func (h *handler) groupJoin(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	state, err := h.social.Groups.Join(r.Context(), viewer(r), gv.Group.ID)
	if err != nil {
		return err
	}
	notice := "group_joined"
	if state == model.MemberRequested {
		notice = "group_requested"
		if m := gv.Membership; m != nil && m.State == model.MemberInvited {
			// A remote group's invitation: its node confirms the join in a moment.
			notice = "group_invitation_accepted"
		}
	}
	http.Redirect(w, r, groupPath(gv.Group)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
