package social_test

import (
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// scopeFixture is a node with a guest (gus) in one group (team), a member of the same
// group (mia), a member outside it (bob), and posts of every audience.
type scopeFixture struct {
	ann, mia, bob, gus    *model.Account
	team, other, secret   *model.Group
	company, site, follow *model.Post
	teamPost, otherPost   *model.Post
	secretPost, gusPost   *model.Post
	gusOld                *model.Post
}

func newScopeFixture(e *env) *scopeFixture {
	e.t.Helper()
	f := &scopeFixture{ann: e.admin("ann"), mia: e.member("mia"), bob: e.member("bob")}
	// gus was a member once and posted to the company; now a guest, that post is no
	// longer his to see.
	f.gus = e.member("gus")
	f.gusOld = e.post(f.gus, "old #zebra words by gus", model.AudienceCompany)
	if err := e.svc.Accounts.SetRole(e.ctx, f.ann, f.gus.ID, model.RoleGuest); err != nil {
		e.t.Fatal(err)
	}
	f.gus = e.reload(f.gus)
	f.team = e.group(f.mia, "team", model.GroupOpen)
	f.other = e.group(f.bob, "other", model.GroupOpen)
	f.secret = e.group(f.bob, "secret", model.GroupSecret)
	e.joined(f.team, f.mia, f.gus)
	f.company = e.post(f.mia, "company #zebra words", model.AudienceCompany)
	f.site = e.post(f.mia, "site #zebra words", model.AudienceSite)
	f.follow = e.post(f.mia, "followers #zebra words", model.AudienceFollowers)
	f.teamPost = e.groupPost(f.mia, f.team, "team #zebra words")
	f.otherPost = e.groupPost(f.bob, f.other, "other #zebra words")
	f.secretPost = e.groupPost(f.bob, f.secret, "secret #zebra words")
	f.gusPost = e.groupPost(f.gus, f.team, "gus #zebra words")
	return f
}

func postIDs(list []*social.PostView) []string {
	out := []string{}
	for _, v := range list {
		out = append(out, v.Post.ID)
	}
	sort.Strings(out)
	return out
}

func sorted(ids ...string) []string {
	sort.Strings(ids)
	return ids
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

// TestGuestScopePosts checks what a guest reads and writes: the posts of its groups and
// nothing else, by every way of reading.
func TestGuestScopePosts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		f := newScopeFixture(e)
		mine := sorted(f.teamPost.ID, f.gusPost.ID)

		feed, err := e.svc.Posts.Feed(e.ctx, f.gus, social.FeedQuery{})
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "feed", postIDs(feed.Posts), mine)
		tag, err := e.svc.Tags.Page(e.ctx, f.gus, "zebra", "", 20)
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "tag page", postIDs(tag.Feed.Posts), mine)
		res, err := e.svc.Search(e.ctx, f.gus, social.SearchQuery{Text: "words"})
		if err != nil {
			t.Fatal(err)
		}
		found := []string{}
		for _, r := range res.Posts {
			found = append(found, r.Post.ID)
		}
		sort.Strings(found)
		sameIDs(t, "search", found, mine)
		res, err = e.svc.Search(e.ctx, f.gus, social.SearchQuery{Text: "zebra", Kind: social.SearchTags})
		if err != nil || len(res.Tags) != 1 || res.Tags[0].Posts != 2 {
			t.Fatalf("tags found %+v (%v)", res.Tags, err)
		}

		for _, c := range []struct {
			name string
			post *model.Post
			ok   bool
		}{
			{"company", f.company, false},
			{"site", f.site, false},
			{"followers", f.follow, false},
			{"own company post of old", f.gusOld, false},
			{"team", f.teamPost, true},
			{"own team post", f.gusPost, true},
			{"other open group", f.otherPost, false},
			{"secret group", f.secretPost, false},
		} {
			_, err := e.svc.Posts.View(e.ctx, f.gus, c.post.ID)
			if c.ok != (err == nil) {
				t.Errorf("%s: view %v", c.name, err)
			}
			if !c.ok {
				wantErr(t, err, social.ErrNotFound)
			}
			err = e.svc.Posts.React(e.ctx, f.gus, c.post.ID, model.ReactionLike, true)
			if c.ok != (err == nil) {
				t.Errorf("%s: react %v", c.name, err)
			}
			_, err = e.svc.Posts.Create(e.ctx, f.gus, social.PostInput{Source: "re", InReplyToID: c.post.ID})
			if c.ok != (err == nil) {
				t.Errorf("%s: comment %v", c.name, err)
			}
		}

		// Posting: into its group only.
		for _, c := range []struct {
			name string
			in   social.PostInput
			want error
		}{
			{"site", social.PostInput{Source: "x", Audience: model.AudienceSite}, social.ErrForbidden},
			{"company", social.PostInput{Source: "x", Audience: model.AudienceCompany}, social.ErrForbidden},
			{"followers", social.PostInput{Source: "x", Audience: model.AudienceFollowers}, social.ErrForbidden},
			{"other group", social.PostInput{Source: "x", GroupID: f.other.ID}, social.ErrNotFound},
			{"secret group", social.PostInput{Source: "x", GroupID: f.secret.ID}, social.ErrNotFound},
			{"own group", social.PostInput{Source: "x", GroupID: f.team.ID}, nil},
		} {
			_, err := e.svc.Posts.Create(e.ctx, f.gus, c.in)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("post to %s: %v, want %v", c.name, err, c.want)
			}
		}
		// Members see the guest's group posts as any member's.
		if _, err := e.svc.Posts.View(e.ctx, f.mia, f.gusPost.ID); err != nil {
			t.Errorf("mia reads gus's post: %v", err)
		}
		if _, err := e.svc.Posts.View(e.ctx, f.bob, f.gusPost.ID); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("bob, outside the group, reads gus's post: %v", err)
		}
	})
}

// TestGuestScopePeopleAndGroups checks that a guest finds people and groups only
// through its groups, and may not invite, create, join uninvited or follow.
func TestGuestScopePeopleAndGroups(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		f := newScopeFixture(e)
		box.take()
		// Profiles: itself and co-members; members see the guest.
		for _, c := range []struct {
			viewer, target *model.Account
			ok             bool
		}{
			{f.gus, f.gus, true},
			{f.gus, f.mia, true},
			{f.gus, f.bob, false},
			{f.gus, f.ann, false},
			{f.mia, f.gus, true},
			{f.bob, f.gus, true},
		} {
			p, err := e.svc.Profiles.Get(e.ctx, c.viewer, c.target.Username)
			if c.ok != (err == nil) {
				t.Errorf("%s sees %s: %v", c.viewer.Username, c.target.Username, err)
			}
			if !c.ok {
				wantErr(t, err, social.ErrNotFound)
			} else if c.viewer.IsGuest() && (p.Manager != nil || len(p.Reports) > 0 || p.Position == nil) {
				t.Errorf("guest got the org chart of %s", c.target.Username)
			}
		}
		// Directory, org chart, people list: not for guests.
		_, err := e.svc.People.Directory(e.ctx, f.gus, social.DirectoryQuery{})
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.People.OrgChart(e.ctx, f.gus, social.OrgQuery{})
		wantErr(t, err, social.ErrForbidden)
		_, err = e.svc.Accounts.List(e.ctx, f.gus, social.AccountQuery{})
		wantErr(t, err, social.ErrForbidden)
		// Search: people of its groups, its groups.
		res, err := e.svc.Search(e.ctx, f.gus, social.SearchQuery{Text: "bob", Kind: social.SearchPeople})
		if err != nil || len(res.People) != 0 {
			t.Fatalf("gus finds %v (%v)", usernames(res.People), err)
		}
		res, err = e.svc.Search(e.ctx, f.gus, social.SearchQuery{Text: "mia", Kind: social.SearchPeople})
		if err != nil || len(res.People) != 1 {
			t.Fatalf("gus finds %v (%v)", usernames(res.People), err)
		}
		res, err = e.svc.Search(e.ctx, f.gus, social.SearchQuery{Text: "the", Kind: social.SearchGroups})
		if err != nil || len(res.Groups) != 1 || res.Groups[0].Group.ID != f.team.ID {
			t.Fatalf("gus finds groups %+v (%v)", res.Groups, err)
		}
		// Groups: its own only, no creation, no joining uninvited, no inviting.
		page, err := e.svc.Groups.List(e.ctx, f.gus, social.GroupQuery{})
		if err != nil || len(page.Groups) != 1 || page.Groups[0].Group.ID != f.team.ID {
			t.Fatalf("gus's group list %+v %v", page, err)
		}
		_, err = e.svc.Groups.Get(e.ctx, f.gus, "other")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Groups.Join(e.ctx, f.gus, f.other.ID)
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Groups.Create(e.ctx, f.gus, social.GroupInput{Name: "mine", DisplayName: "Mine", Kind: model.GroupOpen})
		wantErr(t, err, social.ErrForbidden)
		wantErr(t, e.svc.Groups.Invite(e.ctx, f.gus, f.team.ID, f.bob.ID), social.ErrForbidden)
		_, err = e.svc.Invitations.Invite(e.ctx, f.gus, social.InvitationInput{Email: "x@example.com", GroupIDs: []string{f.team.ID}})
		wantErr(t, err, social.ErrForbidden)
		members, err := e.svc.Groups.Members(e.ctx, f.gus, f.team.ID, "", "", 0)
		if err != nil || len(members.Members) != 2 {
			t.Fatalf("gus lists %d members of team (%v)", len(members.Members), err)
		}
		// Follows: none by guests, none of guests.
		wantErr(t, e.svc.Follows.Follow(e.ctx, f.gus, f.mia.ID), social.ErrForbidden)
		wantErr(t, e.svc.Follows.Follow(e.ctx, f.mia, f.gus.ID), social.ErrForbidden)
		none(t, box, "refused guest actions")
	})
}

// TestRemoteGuestFollowRejected checks that a remote Follow by a guest, a partner's user
// or of a local guest is answered with a Reject and stores no follow.
func TestRemoteGuestFollowRejected(t *testing.T) {
	cases := []struct {
		name        string
		role        model.Role
		trust       model.Trust
		targetGuest bool
		accept      bool
	}{
		{"sibling member", model.RoleMember, model.TrustSibling, false, true},
		{"sibling guest", model.RoleGuest, model.TrustSibling, false, false},
		{"partner user", model.RoleMember, model.TrustPartner, false, false},
		{"of a local guest", model.RoleMember, model.TrustSibling, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
				target := e.member("mia")
				if c.targetGuest {
					target = e.guest("gus")
				}
				rita := e.remoteGuestActor("rita", c.role, c.trust, nil)
				in := e.in(rita, c.trust)
				if err := e.svc.Remote.ReceiveFollow(e.ctx, in, in.ActivityID, target.URI); err != nil {
					t.Fatal(err)
				}
				want := social.ActivityAccept
				if !c.accept {
					want = social.ActivityReject
				}
				a := one(t, box, want)
				if a.Follow.URI != in.ActivityID || a.Object.ID != rita.ID || a.Actor.ID != target.ID {
					t.Errorf("answer %+v", a)
				}
				n := e.count("follows", "follower_id = ?", rita.ID)
				if c.accept != (n == 1) {
					t.Errorf("%d follows stored", n)
				}
			})
		})
	}
}

// remoteGuestActor caches an actor of the node at 127.0.0.1:8082 (or the partner at
// 127.0.0.1:8099) as its document states it.
func (e *env) remoteGuestActor(name string, role model.Role, trust model.Trust, expires *time.Time) *model.Account {
	e.t.Helper()
	a, err := e.svc.Remote.UpsertActor(e.ctx, e.actorDoc(name, role, trust, expires), trust)
	if err != nil {
		e.t.Fatalf("upsert %s: %v", name, err)
	}
	return a
}

func (e *env) actorDoc(name string, role model.Role, trust model.Trust, expires *time.Time) social.ActorInput {
	host := "127.0.0.1:8082"
	if trust == model.TrustPartner {
		host = "127.0.0.1:8099"
	}
	uri := "http://" + host + "/users/" + name
	return social.ActorInput{Account: model.Account{
		Username: name, Domain: host, URI: uri, InboxURI: uri + "/inbox", SharedInboxURI: "http://" + host + "/inbox",
		FollowersURI: uri + "/followers", Role: role, DisplayName: name, PublicKeyPEM: "pem", ExpiresAt: expires,
	}}
}

// TestRemoteGuestRole checks the role a cached actor gets: a sibling's word, lowered to
// guest for partners, and a guest's end only for guests.
func TestRemoteGuestRole(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		later := e.clock.Peek().Add(48 * time.Hour)
		for _, c := range []struct {
			name    string
			role    model.Role
			trust   model.Trust
			want    model.Role
			expires bool
		}{
			{"r1", model.RoleMember, model.TrustSibling, model.RoleMember, false},
			{"r2", model.RoleGuest, model.TrustSibling, model.RoleGuest, true},
			{"r3", model.RoleMember, model.TrustPartner, model.RoleGuest, true},
		} {
			a := e.remoteGuestActor(c.name, c.role, c.trust, &later)
			if a.Role != c.want || (a.ExpiresAt != nil) != c.expires || a.DeactivatedAt != nil {
				t.Errorf("%s: role %s expires %v", c.name, a.Role, a.ExpiresAt)
			}
		}
		// A sibling's guest made a member there is a member here; a partner's user never.
		a := e.remoteGuestActor("sam", model.RoleGuest, model.TrustSibling, &later)
		a2 := e.remoteGuestActor("sam", model.RoleMember, model.TrustSibling, nil)
		if a2.ID != a.ID || a2.Role != model.RoleMember || a2.ExpiresAt != nil {
			t.Errorf("promoted sibling guest: %+v", a2)
		}
	})
}

// TestGuestExpireDue checks the sweep on a local guest: at its end it loses sessions,
// tokens, groups (a remote group is told) and follows, other nodes get its Update; an
// admin's extension brings it back without its groups.
func TestGuestExpireDue(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		ann, mia := e.admin("ann"), e.member("mia")
		team := e.group(mia, "team", model.GroupOpen)
		inv, err := e.svc.Invitations.Invite(e.ctx, ann, social.InvitationInput{Email: "gus@example.com", GroupIDs: []string{team.ID}, GuestDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.accept(tokenOf(inv), "gus")
		if err != nil {
			t.Fatal(err)
		}
		gus := got.Account
		if _, err := e.svc.Auth.Login(e.ctx, "gus", testrig.Password, "test", "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Tokens.Create(e.ctx, gus.ID, "cli"); err != nil {
			t.Fatal(err)
		}
		// In a remote group by invitation, invited to another.
		alice := e.insertRemote("alice")
		chess, board := e.remoteGroup("chess", model.GroupClosed), e.remoteGroup("board", model.GroupSecret)
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, chess.URI+"#invites/1", chess, gus, alice); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Groups.Join(e.ctx, gus, chess.ID); err != nil {
			t.Fatal(err)
		}
		join := one(t, box, social.ActivityJoinGroup)
		if err := e.svc.Remote.ReceiveGroupAccept(e.ctx, chess.URI+"#accept/1", chess, join.Membership.FollowURI); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupInvite(e.ctx, board.URI+"#invites/2", board, gus, alice); err != nil {
			t.Fatal(err)
		}
		// A follow from before, both ways, with a remote account.
		rita := e.insertRemote("rita")
		for _, fl := range []*model.Follow{
			{FollowerID: gus.ID, FolloweeID: rita.ID, URI: gus.URI + "#f1", Accepted: true, CreatedAt: e.clock.Now()},
			{FollowerID: rita.ID, FolloweeID: gus.ID, URI: rita.URI + "#f2", Accepted: true, CreatedAt: e.clock.Now()},
		} {
			if err := e.store.CreateFollow(e.ctx, fl); err != nil {
				t.Fatal(err)
			}
		}
		box.take()

		// Not due yet: nothing happens.
		if n, err := e.svc.Guests.ExpireDue(e.ctx); err != nil || n != 0 {
			t.Fatalf("early sweep ended %d (%v)", n, err)
		}
		e.clock.Advance(24*time.Hour + time.Second)
		if n, err := e.svc.Guests.ExpireDue(e.ctx); err != nil || n != 1 {
			t.Fatalf("sweep ended %d (%v)", n, err)
		}
		g := e.reload(gus)
		if g.DeactivatedAt == nil || g.ExpiresAt == nil || !g.DeactivatedAt.Equal(*g.ExpiresAt) {
			t.Fatalf("ended guest: deactivated %v expires %v", g.DeactivatedAt, g.ExpiresAt)
		}
		for table, where := range map[string]string{
			"sessions":      "account_id = ?",
			"tokens":        "account_id = ? AND revoked_at IS NULL",
			"group_members": "account_id = ?",
			"follows":       "follower_id = ? OR followee_id = ?",
		} {
			args := []any{gus.ID}
			if table == "follows" {
				args = append(args, gus.ID)
			}
			if n := e.count(table, where, args...); n != 0 {
				t.Errorf("%d %s left", n, table)
			}
		}
		kinds := map[social.ActivityKind]int{}
		acts := box.take()
		for _, a := range acts {
			kinds[a.Kind]++
		}
		want := map[social.ActivityKind]int{social.ActivityUpdateProfile: 1, social.ActivityLeaveGroup: 1,
			social.ActivityDeclineGroupInvite: 1, social.ActivityUndoFollow: 1, social.ActivityReject: 1}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%d %s, want %d (all: %v)", kinds[k], k, n, kinds)
			}
		}
		if len(acts) == 0 || acts[0].Kind != social.ActivityUpdateProfile || acts[0].Actor.ExpiresAt == nil ||
			acts[0].Actor.ExpiresAt.After(e.clock.Peek()) {
			t.Fatalf("first activity %+v", acts)
		}
		if n, err := e.svc.Guests.ExpireDue(e.ctx); err != nil || n != 0 {
			t.Fatalf("second sweep ended %d (%v)", n, err)
		}
		none(t, box, "second sweep")

		// Extended, the guest is back, without its groups.
		if err := e.svc.Guests.Extend(e.ctx, ann, gus.ID, e.clock.Peek().Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if g := e.reload(gus); g.DeactivatedAt != nil || !g.ActiveAt(e.clock.Peek()) {
			t.Fatalf("extended guest: deactivated %v expires %v", g.DeactivatedAt, g.ExpiresAt)
		}
		one(t, box, social.ActivityUpdateProfile)
		if _, err := e.svc.Auth.Login(e.ctx, "gus", testrig.Password, "test", "192.0.2.7"); err != nil {
			t.Fatalf("login after extension: %v", err)
		}
		if n := e.count("group_members", "account_id = ?", gus.ID); n != 0 {
			t.Errorf("%d memberships came back", n)
		}
		// An admin's deactivation is not undone by an extension.
		if err := e.svc.Accounts.SetActive(e.ctx, ann, gus.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Guests.Extend(e.ctx, ann, gus.ID, e.clock.Peek().Add(8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if g := e.reload(gus); g.DeactivatedAt == nil {
			t.Fatal("extension reactivated a deactivated guest")
		}
	})
}

// TestRemoteGuestEnd checks a remote guest's end here: at once when its node's Update
// says so, or by the sweep when its end passes; the group tells its node, follows end
// both ways; a later Update with a new end reactivates the cached account.
func TestRemoteGuestEnd(t *testing.T) {
	for _, how := range []string{"update", "sweep", "delete"} {
		t.Run(how, func(t *testing.T) {
			eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
				mia := e.member("mia")
				team := e.group(mia, "team", model.GroupClosed)
				end := e.clock.Peek().Add(time.Hour).Truncate(time.Second)
				rita := e.remoteGuestActor("rita", model.RoleGuest, model.TrustSibling, &end)
				if err := e.svc.Groups.Invite(e.ctx, mia, team.ID, rita.ID); err != nil {
					t.Fatal(err)
				}
				in := e.in(rita, model.TrustSibling)
				if err := e.svc.Remote.ReceiveGroupFollow(e.ctx, in, in.ActivityID, team); err != nil {
					t.Fatal(err)
				}
				if st, _ := e.membership(team, rita); st != model.MemberActive {
					t.Fatalf("rita is %q", st)
				}
				for _, fl := range []*model.Follow{
					{FollowerID: mia.ID, FolloweeID: rita.ID, URI: mia.URI + "#f1", Accepted: true, CreatedAt: e.clock.Now()},
					{FollowerID: rita.ID, FolloweeID: mia.ID, URI: rita.URI + "#f2", Accepted: true, CreatedAt: e.clock.Now()},
				} {
					if err := e.store.CreateFollow(e.ctx, fl); err != nil {
						t.Fatal(err)
					}
				}
				box.take()

				switch how {
				case "update":
					past := e.clock.Peek().Add(-time.Minute).Truncate(time.Second)
					if err := e.svc.Remote.ReceiveActorUpdate(e.ctx, e.in(rita, model.TrustSibling),
						e.actorDoc("rita", model.RoleGuest, model.TrustSibling, &past)); err != nil {
						t.Fatal(err)
					}
				case "sweep":
					e.clock.Advance(2 * time.Hour)
					if n, err := e.svc.Guests.ExpireDue(e.ctx); err != nil || n != 1 {
						t.Fatalf("sweep ended %d (%v)", n, err)
					}
				case "delete":
					if err := e.svc.Remote.ReceiveActorDelete(e.ctx, e.in(e.reload(rita), model.TrustSibling)); err != nil {
						t.Fatal(err)
					}
				}
				r := e.reload(rita)
				if r.DeactivatedAt == nil {
					t.Fatal("remote guest still active")
				}
				if st, _ := e.membership(team, rita); st != "" {
					t.Errorf("rita still %q in team", st)
				}
				if n := e.count("follows", "follower_id = ? OR followee_id = ?", rita.ID, rita.ID); n != 0 {
					t.Errorf("%d follows left", n)
				}
				rej := one(t, box, social.ActivityGroupReject)
				if rej.Object.ID != rita.ID || rej.Membership.FollowURI != in.ActivityID {
					t.Errorf("reject %+v", rej)
				}
				// Its node extends it: the cached account is active again, not in the group.
				later := e.clock.Peek().Add(30 * 24 * time.Hour).Truncate(time.Second)
				if err := e.svc.Remote.ReceiveActorUpdate(e.ctx, e.in(r, model.TrustSibling),
					e.actorDoc("rita", model.RoleGuest, model.TrustSibling, &later)); err != nil {
					t.Fatal(err)
				}
				if r := e.reload(rita); r.DeactivatedAt != nil || r.ExpiresAt == nil || !r.ExpiresAt.Equal(later) {
					t.Fatalf("extended remote guest: deactivated %v expires %v", r.DeactivatedAt, r.ExpiresAt)
				}
				if st, _ := e.membership(team, rita); st != "" {
					t.Errorf("membership came back: %q", st)
				}
				none(t, box, "reactivation")
			})
		})
	}
}
