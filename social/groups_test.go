package social_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// group creates a group owned by owner, failing the test on error.
func (e *env) group(owner *model.Account, name string, kind model.GroupKind) *model.Group {
	e.t.Helper()
	g, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: name, DisplayName: "The " + name, Kind: kind})
	if err != nil {
		e.t.Fatalf("create group %s: %v", name, err)
	}
	return g
}

// membership returns a's membership state and role in g, "" if none.
func (e *env) membership(g *model.Group, a *model.Account) (model.MemberState, model.GroupRole) {
	e.t.Helper()
	m, err := e.store.Membership(e.ctx, g.ID, a.ID)
	if err != nil {
		return "", ""
	}
	return m.State, m.Role
}

// joined makes a an active member of g: by joining an open group, or by invitation
// from inviter otherwise.
func (e *env) joined(g *model.Group, inviter, a *model.Account) {
	e.t.Helper()
	if g.Kind != model.GroupOpen || a.Role == model.RoleGuest {
		if err := e.svc.Groups.Invite(e.ctx, inviter, g.ID, a.ID); err != nil {
			e.t.Fatalf("invite %s: %v", a.Username, err)
		}
	}
	if st, err := e.svc.Groups.Join(e.ctx, a, g.ID); err != nil || st != model.MemberActive {
		e.t.Fatalf("%s joins %s: %s, %v", a.Username, g.Name, st, err)
	}
}

func (e *env) groupPost(author *model.Account, g *model.Group, src string) *model.Post {
	e.t.Helper()
	p, err := e.svc.Posts.Create(e.ctx, author, social.PostInput{Source: src, GroupID: g.ID})
	if err != nil {
		e.t.Fatalf("group post by %s: %v", author.Username, err)
	}
	return p
}

func TestGroupCreate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.member("ann")
		long := strings.Repeat("x", 101)
		cases := []struct {
			in   social.GroupInput
			want map[string]string
		}{
			{social.GroupInput{Name: "a", DisplayName: "A", Kind: model.GroupOpen}, fields("name", "error.group.name.invalid")},
			{social.GroupInput{Name: "new", DisplayName: "New", Kind: model.GroupOpen}, fields("name", "error.group.name.taken")},
			{social.GroupInput{Name: "has space", DisplayName: "A", Kind: model.GroupOpen}, fields("name", "error.group.name.invalid")},
			{social.GroupInput{Name: strings.Repeat("a", 31), DisplayName: "A", Kind: model.GroupOpen}, fields("name", "error.group.name.invalid")},
			{social.GroupInput{Name: "ok", DisplayName: "  ", Kind: model.GroupOpen}, fields("display_name", "error.group.display_name.empty")},
			{social.GroupInput{Name: "ok", DisplayName: long, Kind: model.GroupOpen}, fields("display_name", "error.too_long")},
			{social.GroupInput{Name: "ok", DisplayName: "A", Description: strings.Repeat("x", 5001), Kind: model.GroupOpen}, fields("description", "error.too_long")},
			{social.GroupInput{Name: "ok", DisplayName: "A", Kind: "public"}, fields("kind", "error.group.kind")},
			{social.GroupInput{Name: "ok", DisplayName: "A"}, fields("kind", "error.group.kind")},
		}
		for _, c := range cases {
			_, err := e.svc.Groups.Create(e.ctx, ann, c.in)
			wantFields(t, err, c.want)
		}
		g, err := e.svc.Groups.Create(e.ctx, ann, social.GroupInput{Name: " Design_Team ", DisplayName: " Design ",
			Description: "We **design**.<script>alert(1)</script>", Kind: model.GroupClosed, SiteOnly: true, PreModeration: true})
		if err != nil {
			t.Fatal(err)
		}
		if g.Name != "design_team" || g.DisplayName != "Design" || g.Domain != "" || !g.SiteOnly || !g.PreModeration ||
			g.URI != testrig.BaseURL+"/groups/design_team" || g.InboxURI != testrig.BaseURL+"/groups/design_team/inbox" ||
			g.SharedInboxURI != testrig.BaseURL+"/inbox" {
			t.Fatalf("group = %+v", g)
		}
		if !strings.Contains(g.DescriptionHTML, "<strong>design</strong>") || strings.Contains(g.DescriptionHTML, "script") {
			t.Fatalf("description html %q", g.DescriptionHTML)
		}
		if !strings.Contains(g.PublicKeyPEM, "PUBLIC KEY") || !strings.Contains(g.PrivateKeyPEM, "PRIVATE KEY") {
			t.Fatal("no key pair")
		}
		if st, role := e.membership(g, ann); st != model.MemberActive || role != model.GroupOwner {
			t.Fatalf("creator: %s %s", st, role)
		}
		_, err = e.svc.Groups.Create(e.ctx, ann, social.GroupInput{Name: "design_team", DisplayName: "Again", Kind: model.GroupOpen})
		wantFields(t, err, fields("name", "error.group.name.taken"))

		// Admins may create groups, guests may not.
		e.group(e.admin("root"), "admins", model.GroupSecret)
		_, err = e.svc.Groups.Create(e.ctx, e.guest("gus"), social.GroupInput{Name: "guests", DisplayName: "G", Kind: model.GroupOpen})
		wantErr(t, err, social.ErrForbidden)
	})
}

func TestGroupUpdateAndArchive(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner, mod, member, root := e.member("owner"), e.member("mod"), e.member("member"), e.admin("root")
		g := e.group(owner, "team", model.GroupOpen)
		e.joined(g, owner, mod)
		e.joined(g, owner, member)
		if err := e.svc.Groups.SetRole(e.ctx, owner, g.ID, mod.ID, model.GroupModerator); err != nil {
			t.Fatal(err)
		}
		in := social.GroupInput{Name: "renamed", DisplayName: "Team B", Description: "_hi_", Kind: model.GroupClosed, PreModeration: true}
		wantErr(t, e.svc.Groups.Update(e.ctx, member, g.ID, in), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Update(e.ctx, root, g.ID, in), social.ErrForbidden)
		wantFields(t, e.svc.Groups.Update(e.ctx, mod, g.ID, social.GroupInput{Kind: model.GroupOpen}),
			fields("display_name", "error.group.display_name.empty"))
		if err := e.svc.Groups.Update(e.ctx, mod, g.ID, in); err != nil {
			t.Fatal(err)
		}
		got, err := e.store.Group(e.ctx, g.ID)
		if err != nil || got.Name != "team" || got.DisplayName != "Team B" || got.Kind != model.GroupClosed ||
			!got.PreModeration || strings.TrimSpace(got.DescriptionHTML) != "<p><em>hi</em></p>" {
			t.Fatalf("after update: %+v %v", got, err)
		}

		wantErr(t, e.svc.Groups.SetArchived(e.ctx, mod, g.ID, true), social.ErrForbidden)
		wantErr(t, e.svc.Groups.SetArchived(e.ctx, member, g.ID, true), social.ErrForbidden)
		if err := e.svc.Groups.SetArchived(e.ctx, owner, g.ID, true); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Groups.Get(e.ctx, member, "team")
		if err != nil || !v.Group.Archived() || v.CanPost || v.CanJoin {
			t.Fatalf("archived view: %+v %v", v, err)
		}
		if err := e.svc.Groups.SetArchived(e.ctx, root, g.ID, false); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.svc.Groups.Get(e.ctx, member, "team"); v.Group.Archived() || !v.CanPost {
			t.Fatalf("unarchived view: %+v", v)
		}
		// An admin may archive a secret group they are not in, without seeing it.
		secret := e.group(owner, "hush", model.GroupSecret)
		if err := e.svc.Groups.SetArchived(e.ctx, root, secret.ID, true); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.Groups.SetArchived(e.ctx, member, secret.ID, false), social.ErrNotFound)
	})
}

func TestGroupJoinRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner := e.member("owner")
		kinds := []model.GroupKind{model.GroupOpen, model.GroupClosed, model.GroupSecret}
		groups := map[model.GroupKind]*model.Group{}
		for _, k := range kinds {
			groups[k] = e.group(owner, string(k), k)
		}
		type want struct {
			state model.MemberState
			err   error
		}
		cases := []struct {
			name  string
			guest bool
			setup func(g *model.Group, a *model.Account)
			want  map[model.GroupKind]want
		}{
			{"stranger", false, nil, map[model.GroupKind]want{
				model.GroupOpen: {model.MemberActive, nil}, model.GroupClosed: {model.MemberRequested, nil},
				model.GroupSecret: {"", social.ErrNotFound}}},
			{"invited", false, func(g *model.Group, a *model.Account) {
				if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, a.ID); err != nil {
					t.Fatal(err)
				}
			}, map[model.GroupKind]want{
				model.GroupOpen: {model.MemberActive, nil}, model.GroupClosed: {model.MemberActive, nil},
				model.GroupSecret: {model.MemberActive, nil}}},
			{"banned", false, func(g *model.Group, a *model.Account) {
				if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, a.ID, true); err != nil {
					t.Fatal(err)
				}
			}, map[model.GroupKind]want{
				model.GroupOpen: {"", social.ErrForbidden}, model.GroupClosed: {"", social.ErrForbidden},
				model.GroupSecret: {"", social.ErrNotFound}}},
			{"guest", true, nil, map[model.GroupKind]want{
				model.GroupOpen: {"", social.ErrNotFound}, model.GroupClosed: {"", social.ErrNotFound},
				model.GroupSecret: {"", social.ErrNotFound}}},
			{"invited guest", true, func(g *model.Group, a *model.Account) {
				if err := e.svc.Groups.Invite(e.ctx, owner, g.ID, a.ID); err != nil {
					t.Fatal(err)
				}
			}, map[model.GroupKind]want{
				model.GroupOpen: {model.MemberActive, nil}, model.GroupClosed: {model.MemberActive, nil},
				model.GroupSecret: {model.MemberActive, nil}}},
		}
		for i, c := range cases {
			for _, k := range kinds {
				name := "u" + string(rune('a'+i)) + string(k)
				var a *model.Account
				if c.guest {
					a = e.guest(name)
				} else {
					a = e.member(name)
				}
				g := groups[k]
				if c.setup != nil {
					c.setup(g, a)
				}
				st, err := e.svc.Groups.Join(e.ctx, a, g.ID)
				w := c.want[k]
				if st != w.state || (w.err == nil) != (err == nil) || (w.err != nil && !errors.Is(err, w.err)) {
					t.Errorf("%s joins %s: %q %v, want %q %v", c.name, k, st, err, w.state, w.err)
				}
				// Joining again changes nothing.
				if w.err == nil {
					if again, err := e.svc.Groups.Join(e.ctx, a, g.ID); again != w.state || err != nil {
						t.Errorf("%s joins %s again: %q %v", c.name, k, again, err)
					}
				}
			}
		}
		// Archived groups take no members, not even invited ones.
		inv := e.member("late")
		if err := e.svc.Groups.Invite(e.ctx, owner, groups[model.GroupClosed].ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if err := e.svc.Groups.SetArchived(e.ctx, owner, groups[k].ID, true); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.Groups.Join(e.ctx, e.member("newbie"), groups[model.GroupOpen].ID)
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Groups.Join(e.ctx, inv, groups[model.GroupClosed].ID)
		wantErr(t, err, social.ErrForbidden)
		wantErr(t, e.svc.Groups.Invite(e.ctx, owner, groups[model.GroupOpen].ID, inv.ID), social.ErrForbidden)
	})
}

func TestGroupLeaveInviteDecide(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner, mod, member, asker, other := e.member("owner"), e.member("mod"), e.member("member"), e.member("asker"), e.member("other")
		closed := e.group(owner, "closed", model.GroupClosed)
		open := e.group(owner, "open", model.GroupOpen)

		// The last owner cannot leave.
		wantFields(t, e.svc.Groups.Leave(e.ctx, owner, closed.ID), fields("group", "error.group.last_owner"))
		if v, _ := e.svc.Groups.Get(e.ctx, owner, "closed"); v.CanLeave || !v.CanModerate || !v.CanPost {
			t.Fatalf("owner view: %+v", v)
		}

		e.joined(closed, owner, mod)
		e.joined(closed, owner, member)
		if err := e.svc.Groups.SetRole(e.ctx, owner, closed.ID, mod.ID, model.GroupModerator); err != nil {
			t.Fatal(err)
		}
		// Members of closed groups do not invite; members of open groups do.
		wantErr(t, e.svc.Groups.Invite(e.ctx, member, closed.ID, other.ID), social.ErrForbidden)
		e.joined(open, owner, member)
		if err := e.svc.Groups.Invite(e.ctx, member, open.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(open, other); st != model.MemberInvited {
			t.Fatalf("invited state %q", st)
		}
		// Declining an invitation is leaving.
		if err := e.svc.Groups.Leave(e.ctx, other, open.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(open, other); st != "" {
			t.Fatalf("after declining: %q", st)
		}

		// A request waits for a moderator.
		if st, err := e.svc.Groups.Join(e.ctx, asker, closed.ID); err != nil || st != model.MemberRequested {
			t.Fatalf("request: %q %v", st, err)
		}
		if v, _ := e.svc.Groups.Get(e.ctx, asker, "closed"); v.CanPost || v.CanJoin || v.CanRequest || !v.CanLeave {
			t.Fatalf("requested view: %+v", v)
		}
		wantErr(t, e.svc.Groups.Decide(e.ctx, member, closed.ID, asker.ID, true), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Decide(e.ctx, mod, closed.ID, member.ID, true), social.ErrNotFound)
		if err := e.svc.Groups.Decide(e.ctx, mod, closed.ID, asker.ID, false); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(closed, asker); st != "" {
			t.Fatalf("refused request left %q", st)
		}
		if _, err := e.svc.Groups.Join(e.ctx, asker, closed.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.Decide(e.ctx, mod, closed.ID, asker.ID, true); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(closed, asker); st != model.MemberActive {
			t.Fatalf("approved request: %q", st)
		}
		// A moderator's invitation of someone who asked approves the request.
		if _, err := e.svc.Groups.Join(e.ctx, other, closed.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.Invite(e.ctx, mod, closed.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(closed, other); st != model.MemberActive {
			t.Fatalf("invited requester: %q", st)
		}
		// Members leave.
		if err := e.svc.Groups.Leave(e.ctx, member, closed.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(closed, member); st != "" {
			t.Fatalf("left: %q", st)
		}
		// Invitations reach only accounts that exist.
		wantErr(t, e.svc.Groups.Invite(e.ctx, mod, closed.ID, "nobody"), social.ErrNotFound)
	})
}

func TestGroupRolesAndRemoval(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner, co, mod, member, bad := e.member("owner"), e.member("co"), e.member("mod"), e.member("member"), e.member("bad")
		g := e.group(owner, "team", model.GroupOpen)
		for _, a := range []*model.Account{co, mod, member, bad} {
			e.joined(g, owner, a)
		}
		wantFields(t, e.svc.Groups.SetRole(e.ctx, owner, g.ID, mod.ID, "boss"), fields("role", "error.group.role"))
		if err := e.svc.Groups.SetRole(e.ctx, owner, g.ID, mod.ID, model.GroupModerator); err != nil {
			t.Fatal(err)
		}
		// Only owners give roles.
		wantErr(t, e.svc.Groups.SetRole(e.ctx, mod, g.ID, member.ID, model.GroupModerator), social.ErrForbidden)
		// The last owner cannot step down, but can once there is another.
		wantFields(t, e.svc.Groups.SetRole(e.ctx, owner, g.ID, owner.ID, model.GroupMember), fields("group", "error.group.last_owner"))
		if err := e.svc.Groups.SetRole(e.ctx, owner, g.ID, co.ID, model.GroupOwner); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.svc.Groups.Get(e.ctx, owner, "team"); !v.CanLeave {
			t.Fatal("an owner among two may leave")
		}
		// Roles go to active members only.
		outsider := e.member("outsider")
		wantErr(t, e.svc.Groups.SetRole(e.ctx, owner, g.ID, outsider.ID, model.GroupModerator), social.ErrNotFound)

		// Moderators remove members but not owners; members remove nobody.
		wantErr(t, e.svc.Groups.Remove(e.ctx, member, g.ID, bad.ID, false), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Remove(e.ctx, mod, g.ID, co.ID, false), social.ErrForbidden)
		if err := e.svc.Groups.Remove(e.ctx, mod, g.ID, member.ID, false); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.membership(g, member); st != "" {
			t.Fatalf("removed member: %q", st)
		}
		// A ban keeps a banned row; the banned cannot join, be invited, or lift it by leaving.
		if err := e.svc.Groups.Remove(e.ctx, mod, g.ID, bad.ID, true); err != nil {
			t.Fatal(err)
		}
		if st, role := e.membership(g, bad); st != model.MemberBanned || role != model.GroupMember {
			t.Fatalf("banned: %q %q", st, role)
		}
		_, err := e.svc.Groups.Join(e.ctx, bad, g.ID)
		wantErr(t, err, social.ErrForbidden)
		wantErr(t, e.svc.Groups.Invite(e.ctx, owner, g.ID, bad.ID), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Leave(e.ctx, bad, g.ID), social.ErrForbidden)
		if v, _ := e.svc.Groups.Get(e.ctx, bad, "team"); v.CanJoin || v.CanLeave || v.CanPost {
			t.Fatalf("banned view: %+v", v)
		}
		// Removing without a ban lifts it.
		if err := e.svc.Groups.Remove(e.ctx, mod, g.ID, bad.ID, false); err != nil {
			t.Fatal(err)
		}
		if st, err := e.svc.Groups.Join(e.ctx, bad, g.ID); err != nil || st != model.MemberActive {
			t.Fatalf("rejoin after unban: %q %v", st, err)
		}
		// Banning someone who never joined keeps them out from the start.
		if err := e.svc.Groups.Remove(e.ctx, mod, g.ID, outsider.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Groups.Join(e.ctx, outsider, g.ID)
		wantErr(t, err, social.ErrForbidden)
		// An owner removes another owner, never the last one.
		if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, co.ID, false); err != nil {
			t.Fatal(err)
		}
		wantFields(t, e.svc.Groups.Remove(e.ctx, owner, g.ID, owner.ID, false), fields("group", "error.group.last_owner"))
		if n, _ := e.store.CountOwners(e.ctx, g.ID); n != 1 {
			t.Fatalf("owners = %d", n)
		}
	})
}

func TestGroupGetListMembers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner, me, gus := e.member("owner"), e.member("me"), e.guest("gus")
		far := e.insertRemote("far")
		open := e.group(owner, "alpha", model.GroupOpen)
		e.group(owner, "bravo", model.GroupClosed)
		secret := e.group(owner, "charlie", model.GroupSecret)
		e.group(owner, "delta", model.GroupSecret)
		site, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: "echo", DisplayName: "Echo", Kind: model.GroupOpen, SiteOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		e.joined(open, owner, me)
		if err := e.svc.Groups.Invite(e.ctx, owner, secret.ID, me.ID); err != nil {
			t.Fatal(err)
		}
		e.joined(open, owner, gus)

		// Secret groups exist for members and invited accounts only.
		if v, err := e.svc.Groups.Get(e.ctx, me, "CHARLIE"); err != nil || !v.CanJoin || v.CanPost || v.Members != 1 {
			t.Fatalf("invited view: %+v %v", v, err)
		}
		_, err = e.svc.Groups.Get(e.ctx, me, "delta")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Groups.Get(e.ctx, me, "nope")
		wantErr(t, err, social.ErrNotFound)
		// Site-only groups exist for this node's accounts only.
		if _, err := e.svc.Groups.Get(e.ctx, me, "echo"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Groups.Get(e.ctx, far, "echo")
		wantErr(t, err, social.ErrNotFound)
		wantErr(t, e.svc.Groups.Invite(e.ctx, owner, site.ID, far.ID), social.ErrForbidden)
		if v, err := e.svc.Groups.Get(e.ctx, far, "alpha"); err != nil || !v.CanJoin {
			t.Fatalf("remote view of an open group: %+v %v", v, err)
		}
		// Guests see only the groups they are in.
		_, err = e.svc.Groups.Get(e.ctx, gus, "bravo")
		wantErr(t, err, social.ErrNotFound)
		if v, err := e.svc.Groups.Get(e.ctx, me, "alpha"); err != nil || v.Members != 3 || !v.CanPost || !v.CanLeave || v.CanJoin || v.CanModerate {
			t.Fatalf("member view: %+v %v", v, err)
		}
		if v, _ := e.svc.Groups.Get(e.ctx, me, "bravo"); !v.CanRequest || v.CanJoin || v.Membership != nil {
			t.Fatalf("closed view: %+v", v)
		}

		names := func(viewer *model.Account, q social.GroupQuery) ([]string, string) {
			t.Helper()
			page, err := e.svc.Groups.List(e.ctx, viewer, q)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, v := range page.Groups {
				out = append(out, v.Group.Name)
			}
			return out, page.Next
		}
		if got, next := names(me, social.GroupQuery{}); !reflect.DeepEqual(got, []string{"alpha", "bravo", "charlie", "echo"}) || next != "" {
			t.Fatalf("directory: %v %q", got, next)
		}
		if got, next := names(me, social.GroupQuery{Limit: 2}); !reflect.DeepEqual(got, []string{"alpha", "bravo"}) || next != "bravo" {
			t.Fatalf("page 1: %v %q", got, next)
		}
		if got, next := names(me, social.GroupQuery{Limit: 2, After: "bravo"}); !reflect.DeepEqual(got, []string{"charlie", "echo"}) || next != "" {
			t.Fatalf("page 2: %v %q", got, next)
		}
		if got, _ := names(me, social.GroupQuery{Mine: true}); !reflect.DeepEqual(got, []string{"alpha"}) {
			t.Fatalf("mine: %v", got)
		}
		if got, _ := names(me, social.GroupQuery{Text: "ECH"}); !reflect.DeepEqual(got, []string{"echo"}) {
			t.Fatalf("search: %v", got)
		}
		if got, _ := names(gus, social.GroupQuery{}); !reflect.DeepEqual(got, []string{"alpha"}) {
			t.Fatalf("guest directory: %v", got)
		}
		if got, _ := names(far, social.GroupQuery{}); !reflect.DeepEqual(got, []string{"alpha", "bravo"}) {
			t.Fatalf("remote directory: %v", got)
		}
		page, err := e.svc.Groups.List(e.ctx, me, social.GroupQuery{Text: "alpha"})
		if err != nil || len(page.Groups) != 1 || page.Groups[0].Members != 3 || !page.Groups[0].CanPost || page.Groups[0].Membership == nil {
			t.Fatalf("listed view: %+v %v", page, err)
		}
		_, err = e.svc.Groups.List(e.ctx, me, social.GroupQuery{Text: strings.Repeat("x", 101)})
		wantFields(t, err, fields("q", "error.too_long"))

		// Members: active ones to all who see the group, the others to moderators.
		mp, err := e.svc.Groups.Members(e.ctx, far, open.ID, "", "", 2)
		if err != nil || len(mp.Members) != 2 || mp.Next != "me" || mp.Members[0].Account.Username != "gus" {
			t.Fatalf("members page 1: %+v %v", mp, err)
		}
		mp, err = e.svc.Groups.Members(e.ctx, far, open.ID, model.MemberActive, mp.Next, 2)
		if err != nil || len(mp.Members) != 1 || mp.Next != "" || mp.Members[0].Membership.Role != model.GroupOwner {
			t.Fatalf("members page 2: %+v %v", mp, err)
		}
		_, err = e.svc.Groups.Members(e.ctx, me, secret.ID, model.MemberInvited, "", 0)
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Groups.Members(e.ctx, gus, secret.ID, model.MemberActive, "", 0)
		wantErr(t, err, social.ErrNotFound)
		mp, err = e.svc.Groups.Members(e.ctx, owner, secret.ID, model.MemberInvited, "", 0)
		if err != nil || len(mp.Members) != 1 || mp.Members[0].Account.ID != me.ID || *mp.Members[0].Membership.InvitedByID != owner.ID {
			t.Fatalf("invitations: %+v %v", mp, err)
		}
	})
}

func TestGroupPosts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		owner, member, asker, banned, outsider, root := e.member("owner"), e.member("member"), e.member("asker"), e.member("banned"), e.member("outsider"), e.admin("root")
		gus := e.guest("gus")
		g := e.group(owner, "team", model.GroupClosed)
		e.joined(g, owner, member)
		e.joined(g, owner, gus)
		e.joined(g, owner, banned)
		if err := e.svc.Groups.Remove(e.ctx, owner, g.ID, banned.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Groups.Join(e.ctx, asker, g.ID); err != nil {
			t.Fatal(err)
		}
		// Following the author shows nothing of the group.
		e.follow(outsider, member)
		e.follow(asker, member)

		// The audience is forced to group.
		p, err := e.svc.Posts.Create(e.ctx, member, social.PostInput{Source: "in the #team", Audience: model.AudienceCompany, GroupID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		if p.Audience != model.AudienceGroup || p.GroupID == nil || *p.GroupID != g.ID || p.State != model.PostPublished {
			t.Fatalf("group post: %+v", p)
		}
		for _, a := range []*model.Account{asker, banned, outsider} {
			_, err := e.svc.Posts.Create(e.ctx, a, social.PostInput{Source: "x", GroupID: g.ID})
			wantErr(t, err, social.ErrForbidden)
		}
		_, err = e.svc.Posts.Create(e.ctx, member, social.PostInput{Source: "x", GroupID: "missing"})
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Posts.Create(e.ctx, member, social.PostInput{Source: " ", GroupID: g.ID})
		wantFields(t, err, fields("source", "error.post.empty"))

		// Comments inherit the group; outsiders cannot comment.
		c := e.comment(gus, p.ID, "guest reply")
		if c.GroupID == nil || *c.GroupID != g.ID || c.Audience != model.AudienceGroup || c.State != model.PostPublished {
			t.Fatalf("comment: %+v", c)
		}
		_, err = e.svc.Posts.Create(e.ctx, outsider, social.PostInput{Source: "x", InReplyToID: p.ID})
		wantFields(t, err, fields("in_reply_to_id", "error.post.parent_missing"))
		company := e.post(outsider, "company news #team", model.AudienceCompany)

		for _, v := range []*model.Account{owner, member, gus} {
			if _, err := e.svc.Posts.View(e.ctx, v, p.ID); err != nil {
				t.Errorf("%s cannot view the group post: %v", v.Username, err)
			}
			if err := e.svc.Posts.React(e.ctx, v, p.ID, "like", true); err != nil {
				t.Errorf("%s cannot react: %v", v.Username, err)
			}
		}
		for _, v := range []*model.Account{asker, banned, outsider, root} {
			_, err := e.svc.Posts.View(e.ctx, v, p.ID)
			wantErr(t, err, social.ErrNotFound)
			_, err = e.svc.Posts.View(e.ctx, v, c.ID)
			wantErr(t, err, social.ErrNotFound)
			_, err = e.svc.Posts.History(e.ctx, v, p.ID)
			wantErr(t, err, social.ErrNotFound)
			wantErr(t, e.svc.Posts.React(e.ctx, v, p.ID, "like", true), social.ErrNotFound)
			_, err = e.svc.Posts.Edit(e.ctx, v, p.ID, "hacked")
			wantErr(t, err, social.ErrNotFound)
			wantErr(t, e.svc.Posts.Delete(e.ctx, v, p.ID), social.ErrNotFound)
		}
		// Home feed, tag feed, author feed and group feed of members include it; of others not;
		// the Following tab (and so the API timeline) never does.
		feed := func(v *model.Account, q social.FeedQuery) []string {
			t.Helper()
			page, err := e.svc.Posts.Feed(e.ctx, v, q)
			if err != nil {
				t.Fatal(err)
			}
			return sources(page.Posts)
		}
		for _, v := range []*model.Account{member, gus, owner} {
			want := []string{"company news #team", "in the #team"}
			if v.Role == model.RoleGuest {
				want = want[1:]
			}
			if got := feed(v, social.FeedQuery{}); !reflect.DeepEqual(got, want) {
				t.Errorf("home of %s: %v", v.Username, got)
			}
			if got := feed(v, social.FeedQuery{Tag: "#team"}); !reflect.DeepEqual(got, want) {
				t.Errorf("tag feed of %s: %v", v.Username, got)
			}
			if got := feed(v, social.FeedQuery{GroupID: g.ID}); !reflect.DeepEqual(got, []string{"in the #team"}) {
				t.Errorf("group feed of %s: %v", v.Username, got)
			}
			if got := feed(v, social.FeedQuery{AuthorID: member.ID}); !reflect.DeepEqual(got, []string{"in the #team"}) {
				t.Errorf("author feed of %s: %v", v.Username, got)
			}
		}
		for _, v := range []*model.Account{member, asker, outsider} {
			if got := feed(v, social.FeedQuery{Following: true}); len(got) != 0 && !(v == outsider && reflect.DeepEqual(got, []string{"company news #team"})) {
				t.Errorf("following of %s: %v", v.Username, got)
			}
		}
		for _, v := range []*model.Account{asker, banned, outsider, root} {
			if got := feed(v, social.FeedQuery{}); !reflect.DeepEqual(got, []string{"company news #team"}) {
				t.Errorf("home of %s: %v", v.Username, got)
			}
			for _, q := range []social.FeedQuery{{GroupID: g.ID}, {AuthorID: member.ID}, {Tag: "team", GroupID: g.ID}} {
				if got := feed(v, q); len(got) != 0 {
					t.Errorf("%s sees %v with %+v", v.Username, got, q)
				}
			}
		}
		if got := feed(outsider, social.FeedQuery{Tag: "team"}); !reflect.DeepEqual(got, []string{"company news #team"}) {
			t.Errorf("tag feed of outsider: %v", got)
		}
		_ = company

		// Members edit their posts while the group lives; archived groups are read-only.
		if _, err := e.svc.Posts.Edit(e.ctx, member, p.ID, "in the #team, edited"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.SetArchived(e.ctx, owner, g.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Posts.Create(e.ctx, member, social.PostInput{Source: "x", GroupID: g.ID})
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Posts.Create(e.ctx, member, social.PostInput{Source: "x", InReplyToID: p.ID})
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Posts.Edit(e.ctx, member, p.ID, "again")
		wantErr(t, err, social.ErrForbidden)
		if v, err := e.svc.Posts.View(e.ctx, member, p.ID); err != nil || len(v.Comments) != 1 {
			t.Fatalf("archived group post unreadable: %v", err)
		}
		// A member who leaves no longer sees the group's posts, own ones included.
		if err := e.svc.Groups.SetArchived(e.ctx, owner, g.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Groups.Leave(e.ctx, member, g.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Posts.View(e.ctx, member, p.ID)
		wantErr(t, err, social.ErrNotFound)
	})
}

func TestGroupPinsAndModeration(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		box := &recordingOutbox{}
		e.deps.Outbox = box
		e.svc = social.New(e.deps)
		owner, mod, member, other, outsider := e.member("owner"), e.member("mod"), e.member("member"), e.member("other"), e.member("outsider")
		g, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: "team", DisplayName: "Team", Kind: model.GroupOpen, PreModeration: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []*model.Account{mod, member, other} {
			e.joined(g, owner, a)
		}
		if err := e.svc.Groups.SetRole(e.ctx, owner, g.ID, mod.ID, model.GroupModerator); err != nil {
			t.Fatal(err)
		}
		box.take()

		// Moderators post at once; members' posts wait, and leave the node only when approved.
		byMod := e.groupPost(mod, g, "by the moderator")
		first := e.groupPost(member, g, "first")
		second := e.groupPost(member, g, "second")
		if byMod.State != model.PostPublished || first.State != model.PostPending || second.State != model.PostPending {
			t.Fatalf("states %s %s %s", byMod.State, first.State, second.State)
		}
		if acts := box.take(); len(acts) != 1 || acts[0].Post.ID != byMod.ID {
			t.Fatalf("outbox got %d activities", len(acts))
		}
		// Comments in pre-moderated groups are published.
		if c := e.comment(other, byMod.ID, "reply"); c.State != model.PostPublished {
			t.Fatalf("comment state %s", c.State)
		}
		box.take()

		// Pending posts: to their author and moderators only.
		for _, v := range []*model.Account{member, mod, owner} {
			if _, err := e.svc.Posts.View(e.ctx, v, first.ID); err != nil {
				t.Errorf("%s cannot view the pending post: %v", v.Username, err)
			}
		}
		for _, v := range []*model.Account{other, outsider} {
			_, err := e.svc.Posts.View(e.ctx, v, first.ID)
			wantErr(t, err, social.ErrNotFound)
			page, err := e.svc.Posts.Feed(e.ctx, v, social.FeedQuery{GroupID: g.ID})
			if err != nil || (v == other) != (len(page.Posts) == 1) {
				t.Errorf("group feed of %s: %v %v", v.Username, sources(page.Posts), err)
			}
		}
		page, err := e.svc.Posts.Feed(e.ctx, member, social.FeedQuery{GroupID: g.ID})
		if err != nil || !reflect.DeepEqual(sources(page.Posts), []string{"second", "first", "by the moderator"}) {
			t.Fatalf("author's group feed: %v %v", sources(page.Posts), err)
		}

		_, err = e.svc.Groups.Pending(e.ctx, member, g.ID)
		wantErr(t, err, social.ErrForbidden)
		pending, err := e.svc.Groups.Pending(e.ctx, mod, g.ID)
		if err != nil || !reflect.DeepEqual(sources(pending), []string{"first", "second"}) || pending[0].Author.ID != member.ID {
			t.Fatalf("pending: %v %v", sources(pending), err)
		}
		wantErr(t, e.svc.Groups.Moderate(e.ctx, member, first.ID, true), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Moderate(e.ctx, other, first.ID, true), social.ErrNotFound)
		wantErr(t, e.svc.Groups.Moderate(e.ctx, mod, byMod.ID, true), social.ErrNotFound)
		if err := e.svc.Groups.Moderate(e.ctx, mod, first.ID, true); err != nil {
			t.Fatal(err)
		}
		if acts := box.take(); len(acts) != 1 || acts[0].Kind != social.ActivityCreate || acts[0].Actor.ID != member.ID || acts[0].Post.ID != first.ID {
			t.Fatalf("approval activities: %+v", acts)
		}
		if _, err := e.svc.Posts.View(e.ctx, other, first.ID); err != nil {
			t.Fatalf("approved post hidden: %v", err)
		}
		if err := e.svc.Groups.Moderate(e.ctx, owner, second.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Post(e.ctx, second.ID); err == nil {
			t.Fatal("rejected post kept")
		}
		if acts := box.take(); len(acts) != 0 {
			t.Fatalf("rejection told federation: %+v", acts)
		}
		if pending, _ := e.svc.Groups.Pending(e.ctx, mod, g.ID); len(pending) != 0 {
			t.Fatalf("still pending: %v", sources(pending))
		}

		// Pins: moderators pin top-level published posts of the group.
		third := e.groupPost(member, g, "third")
		reply := e.comment(other, byMod.ID, "another reply")
		wantErr(t, e.svc.Groups.Pin(e.ctx, member, g.ID, byMod.ID, true), social.ErrForbidden)
		wantErr(t, e.svc.Groups.Pin(e.ctx, mod, g.ID, third.ID, true), social.ErrNotFound)
		wantErr(t, e.svc.Groups.Pin(e.ctx, mod, g.ID, reply.ID, true), social.ErrNotFound)
		wantErr(t, e.svc.Groups.Pin(e.ctx, mod, g.ID, e.post(owner, "elsewhere", model.AudienceSite).ID, true), social.ErrNotFound)
		for _, p := range []*model.Post{byMod, first} {
			if err := e.svc.Groups.Pin(e.ctx, mod, g.ID, p.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		pinned, err := e.svc.Groups.Pinned(e.ctx, other, g.ID)
		if err != nil || !reflect.DeepEqual(sources(pinned), []string{"first", "by the moderator"}) || pinned[1].CommentCount != 2 {
			t.Fatalf("pinned: %v %v", sources(pinned), err)
		}
		if pinned, err := e.svc.Groups.Pinned(e.ctx, outsider, g.ID); err != nil || len(pinned) != 0 {
			t.Fatalf("outsider sees pins: %v %v", sources(pinned), err)
		}
		if err := e.svc.Groups.Pin(e.ctx, owner, g.ID, first.ID, false); err != nil {
			t.Fatal(err)
		}
		if pinned, _ := e.svc.Groups.Pinned(e.ctx, member, g.ID); !reflect.DeepEqual(sources(pinned), []string{"by the moderator"}) {
			t.Fatalf("after unpin: %v", sources(pinned))
		}
	})
}

// TestGroupPostsStayHome checks with the real outbox that group posts, their comments
// and reactions make no deliveries: groups federate through their Group actor.
func TestGroupPostsStayHome(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.deps.Outbox = federation.NewOutbox(federation.OutboxOptions{URIs: e.deps.URIs, Now: e.clock.Now})
		e.svc = social.New(e.deps)
		now := e.clock.Now()
		if err := e.store.SavePeer(e.ctx, &model.Peer{Origin: "http://127.0.0.1:8082", Trust: model.TrustSibling, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		ann, bob := e.member("ann"), e.member("bob")
		g := e.group(ann, "team", model.GroupOpen)
		e.joined(g, ann, bob)
		p := e.groupPost(ann, g, "inside")
		e.comment(bob, p.ID, "reply")
		if err := e.svc.Posts.React(e.ctx, bob, p.ID, "like", true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Posts.Edit(e.ctx, ann, p.ID, "inside, edited"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Posts.Delete(e.ctx, ann, p.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.count("deliveries", "1 = 1"); n != 0 {
			t.Fatalf("%d deliveries for group posts", n)
		}
		e.post(ann, "company", model.AudienceCompany)
		if n := e.count("deliveries", "1 = 1"); n != 1 {
			t.Fatalf("%d deliveries for a company post, want 1", n)
		}
	})
}
