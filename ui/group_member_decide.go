package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// groupMemberDecide approves or rejects a request to join; social lets moderators only.
func (h *handler) groupMemberDecide(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	approve := r.PostFormValue("approve") == "true"
	err = h.social.Groups.Decide(r.Context(), viewer(r), gv.Group.ID, mux.Vars(r)["id"], approve)
	if ve, ok := social.AsValidation(err); ok {
		return h.groupMembersRefused(w, r, gv, ve)
	} else if err != nil {
		return err
	}
	notice := "group_request_rejected"
	if approve {
		notice = "group_request_approved"
	}
	http.Redirect(w, r, groupMembersReturn(r, gv.Group, notice), http.StatusSeeOther)
	return nil
}
