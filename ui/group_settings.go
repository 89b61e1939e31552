package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// groupSettings shows the form that edits a group, and its archive control. Only the
// group's moderators and node admins get the page; social checks again on every change.
func (h *handler) groupSettings(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	g := gv.Group
	return h.renderGroupSettings(w, r, http.StatusOK, &groupFormPage{G: gv, Form: social.GroupInput{
		Name: g.Name, DisplayName: g.DisplayName, Description: g.DescriptionSource, Kind: g.Kind,
		SiteOnly: g.SiteOnly, PreModeration: g.PreModeration,
	}})
}

func (h *handler) renderGroupSettings(w http.ResponseWriter, r *http.Request, status int, p *groupFormPage) error {
	gv, v := p.G, viewer(r)
	p.CanArchive = v.IsAdmin() || (gv.Membership != nil && gv.Membership.State == model.MemberActive &&
		gv.Membership.Role == model.GroupOwner)
	if !gv.CanModerate && !p.CanArchive {
		return errForbidden
	}
	p.Title, p.TitleArg, p.Nav, p.Kinds = "title.group_settings", gv.Group.DisplayName, "groups", groupKinds
	h.render(w, r, status, "group_settings", p)
	return nil
}
