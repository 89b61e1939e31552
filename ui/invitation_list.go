package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// invitationsPage lists guest invitations (an admin's everyone's, a member's their own)
// with the form to invite someone.
type invitationsPage struct {
	Page
	Invitations []*social.InvitationView
	NextURL     string
	// MayInvite shows the form; Groups are the groups the viewer may invite into.
	MayInvite bool
	Groups    []*model.Group
	Form      invitationForm
	// Created is an invitation just made: its link to copy and how the mail went.
	Created     *social.InvitationView
	MailEnabled bool
	DefaultDays int
}

// invitationForm is the invitation form as submitted.
type invitationForm struct {
	Email  string
	Days   string
	Groups map[string]bool
}

// invitationList shows the invitations page.
func (h *handler) invitationList(w http.ResponseWriter, r *http.Request) error {
	return h.renderInvitations(w, r, http.StatusOK, &invitationsPage{})
}

func (h *handler) renderInvitations(w http.ResponseWriter, r *http.Request, status int, p *invitationsPage) error {
	v := viewer(r)
	list, err := h.social.Invitations.List(r.Context(), v, social.InvitationQuery{Before: r.URL.Query().Get("before")})
	if err != nil {
		return err
	}
	p.Title, p.Nav = "title.invitations", "invitations"
	p.Invitations = list.Invitations
	if list.Next != "" {
		p.NextURL = "/invitations?" + url.Values{"before": {list.Next}}.Encode()
	}
	p.MayInvite = h.social.Invitations.MayInvite(v)
	if p.MayInvite {
		if p.Groups, err = h.social.Invitations.InvitableGroups(r.Context(), v); err != nil {
			return err
		}
	}
	p.MailEnabled, p.DefaultDays = h.social.Invitations.MailEnabled(), h.social.Invitations.DefaultDays()
	h.render(w, r, status, "invitations", p)
	return nil
}
