package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/atrium-intranet/atrium/social"
)

// invitationCreate invites a guest and shows the page with the new link to copy and the
// mail's outcome. It renders instead of redirecting so the outcome is shown once, on
// the page of the request that caused it; the link stays in the list below anyway.
func (h *handler) invitationCreate(w http.ResponseWriter, r *http.Request) error {
	f := invitationForm{Email: r.PostFormValue("email"), Days: strings.TrimSpace(r.PostFormValue("days")), Groups: map[string]bool{}}
	ids := r.PostForm["group"]
	for _, id := range ids {
		f.Groups[id] = true
	}
	days := 0
	if f.Days != "" {
		n, err := strconv.Atoi(f.Days)
		if err != nil {
			p := &invitationsPage{Form: f}
			p.Errors = map[string]string{"days": "error.invitation.days"}
			return h.renderInvitations(w, r, http.StatusUnprocessableEntity, p)
		}
		days = n
	}
	v, err := h.social.Invitations.Invite(r.Context(), viewer(r), social.InvitationInput{Email: f.Email, GroupIDs: ids, GuestDays: days})
	if ve, ok := social.AsValidation(err); ok {
		p := &invitationsPage{Form: f}
		p.Errors = ve.Fields
		return h.renderInvitations(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	p := &invitationsPage{Created: v}
	p.Notice = "notice.invitation_created"
	return h.renderInvitations(w, r, http.StatusOK, p)
}
