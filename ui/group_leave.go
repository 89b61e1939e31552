package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// groupLeave ends the viewer's membership, withdraws a request or declines an invitation.
// The last owner may not leave: the group page says so.
func (h *handler) groupLeave(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	err = h.social.Groups.Leave(r.Context(), viewer(r), gv.Group.ID)
	if ve, ok := social.AsValidation(err); ok {
		return h.renderGroup(w, r, http.StatusUnprocessableEntity, &groupPage{Page: Page{Errors: ve.Fields}, G: gv})
	} else if err != nil {
		return err
	}
	// A secret group is gone from the leaver's view: send them to the directory.
	target := groupPath(gv.Group) + "?notice=group_left"
	if _, err := h.social.Groups.Get(r.Context(), viewer(r), gv.Group.Name); err != nil {
		target = "/groups?notice=group_left"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
