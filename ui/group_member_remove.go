package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// groupMemberRemove removes a member, withdraws an invitation or, with ban, bans the
// account from the group; social lets moderators only and protects owners.
func (h *handler) groupMemberRemove(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	ban := r.PostFormValue("ban") == "true"
	err = h.social.Groups.Remove(r.Context(), viewer(r), gv.Group.ID, mux.Vars(r)["id"], ban)
	if ve, ok := social.AsValidation(err); ok {
		return h.groupMembersRefused(w, r, gv, ve)
	} else if err != nil {
		return err
	}
	notice := "group_member_removed"
	if ban {
		notice = "group_member_banned"
	}
	http.Redirect(w, r, groupMembersReturn(r, gv.Group, notice), http.StatusSeeOther)
	return nil
}
