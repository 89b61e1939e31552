package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// groupMemberRole changes a member's role; social lets owners only and never leaves the
// group without an owner.
func (h *handler) groupMemberRole(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	role := model.GroupRole(r.PostFormValue("role"))
	err = h.social.Groups.SetRole(r.Context(), viewer(r), gv.Group.ID, mux.Vars(r)["id"], role)
	if ve, ok := social.AsValidation(err); ok {
		return h.groupMembersRefused(w, r, gv, ve)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, groupMembersReturn(r, gv.Group, "group_role_changed"), http.StatusSeeOther)
	return nil
}
