package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// groupModerationPage is the data of a group's queue of posts awaiting approval.
type groupModerationPage struct {
	Page
	G       *social.GroupView
	Pending []*social.PostView
}

// groupModeration lists a group's pending posts, oldest first; social refuses anyone
// but the group's moderators.
func (h *handler) groupModeration(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	pending, err := h.social.Groups.Pending(r.Context(), viewer(r), gv.Group.ID)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "group_moderation", &groupModerationPage{
		Page: Page{Title: "title.group_moderation", TitleArg: gv.Group.DisplayName, Nav: "groups"},
		G:    gv, Pending: pending,
	})
	return nil
}
