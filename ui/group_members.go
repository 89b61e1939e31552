package ui

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// groupMembersPage is the data of a group's member list; moderators also see requests,
// invitations and bans.
type groupMembersPage struct {
	Page
	G       *social.GroupView
	Members []*social.MemberView
	NextURL string
	// After is the page's cursor, carried by the row forms so an action returns here.
	After                     string
	Requests, Invited, Banned []*social.MemberView
	// IsOwner shows the role controls, which only owners may use.
	IsOwner bool
	// CanInvite shows the invitation form: moderators, or any member of an open group.
	CanInvite bool
	Roles     []model.GroupRole
	// Handle is the invitation form's input, kept when it is refused.
	Handle string
	// Alerts are message keys of refused row actions (e.g. the last owner).
	Alerts []string
}

// groupMembers lists a group's active members to anyone who may see the group; for
// moderators it adds the pending requests, open invitations and bans.
func (h *handler) groupMembers(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	return h.renderGroupMembers(w, r, http.StatusOK, &groupMembersPage{G: gv, After: r.URL.Query().Get("after")})
}

func (h *handler) renderGroupMembers(w http.ResponseWriter, r *http.Request, status int, p *groupMembersPage) error {
	ctx, v, g := r.Context(), viewer(r), p.G.Group
	p.Title, p.TitleArg, p.Nav = "title.group_members", g.DisplayName, "groups"
	list, err := h.social.Groups.Members(ctx, v, g.ID, model.MemberActive, p.After, 0)
	if _, ok := social.AsValidation(err); ok {
		return errBadRequest
	} else if err != nil {
		return err
	}
	p.Members = list.Members
	if list.Next != "" {
		p.NextURL = groupPath(g) + "/members?" + url.Values{"after": {list.Next}}.Encode()
	}
	m := p.G.Membership
	active := m != nil && m.State == model.MemberActive
	p.IsOwner = active && m.Role == model.GroupOwner
	p.CanInvite = !g.Archived() && (p.G.CanModerate || (active && g.Kind == model.GroupOpen))
	p.Roles = []model.GroupRole{model.GroupOwner, model.GroupModerator, model.GroupMember}
	if p.G.CanModerate {
		for _, s := range []struct {
			state model.MemberState
			into  *[]*social.MemberView
		}{{model.MemberRequested, &p.Requests}, {model.MemberInvited, &p.Invited}, {model.MemberBanned, &p.Banned}} {
			page, err := h.social.Groups.Members(ctx, v, g.ID, s.state, "", 100)
			if err != nil {
				return err
			}
			*s.into = page.Members
		}
	}
	h.render(w, r, status, "group_members", p)
	return nil
}

// groupMembersReturn is where a member action goes back to: the member page it came from.
func groupMembersReturn(r *http.Request, g *model.Group, notice string) string {
	q := url.Values{"notice": {notice}}
	if after := r.PostFormValue("after"); after != "" {
		q.Set("after", after)
	}
	return groupPath(g) + "/members?" + q.Encode()
}

// groupMembersRefused shows the member page again with a refused action's messages.
func (h *handler) groupMembersRefused(w http.ResponseWriter, r *http.Request, gv *social.GroupView, ve *social.ValidationError) error {
	p := &groupMembersPage{G: gv, After: r.PostFormValue("after")}
	for _, key := range ve.Fields {
		p.Alerts = append(p.Alerts, key)
	}
	sort.Strings(p.Alerts)
	return h.renderGroupMembers(w, r, http.StatusUnprocessableEntity, p)
}
