package storage_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// group stores a local group.
func group(t *testing.T, s *storage.Store, name string, kind model.GroupKind) *model.Group {
	t.Helper()
	g := &model.Group{ID: newID(t0), Name: name, URI: "http://127.0.0.1:8080/groups/" + name,
		DisplayName: "The " + name, Kind: kind, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateGroup(ctx, g); err != nil {
		t.Fatalf("create group %s: %v", name, err)
	}
	return g
}

// join stores a membership.
func join(t *testing.T, s *storage.Store, g *model.Group, a *model.Account, role model.GroupRole, state model.MemberState) {
	t.Helper()
	err := s.SaveMembership(ctx, &model.Membership{GroupID: g.ID, AccountID: a.ID, Role: role, State: state,
		CreatedAt: t0, UpdatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
}

// groupPost stores a top-level post in g at t.
func groupPost(t *testing.T, s *storage.Store, g *model.Group, author *model.Account, state model.PostState, at time.Time, tags ...string) *model.Post {
	t.Helper()
	p := &model.Post{ID: newID(at), AccountID: author.ID, Audience: model.AudienceGroup, GroupID: &g.ID, State: state,
		Source: "src", HTML: "<p>src</p>", Local: true, CreatedAt: at, UpdatedAt: at}
	p.URI = "http://127.0.0.1:8080/posts/" + p.ID
	if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.CreatePost(ctx, p, nil, tags) }); err != nil {
		t.Fatalf("create group post: %v", err)
	}
	return p
}

func groupNames(list []*model.Group) []string {
	out := []string{}
	for _, g := range list {
		out = append(out, g.Name)
	}
	return out
}

func TestGroupCRUD(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		g := group(t, s, "hiking", model.GroupOpen)
		dup := &model.Group{ID: newID(t0), Name: "hiking", URI: "http://127.0.0.1:8080/groups/hiking2",
			Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, s.CreateGroup(ctx, dup), storage.ErrConflict)
		// The same handle on another node is another group.
		remote := &model.Group{ID: newID(t0), Name: "hiking", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/hiking",
			Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateGroup(ctx, remote); err != nil {
			t.Fatal(err)
		}
		for _, get := range []func() (*model.Group, error){
			func() (*model.Group, error) { return s.Group(ctx, g.ID) },
			func() (*model.Group, error) { return s.GroupByName(ctx, "hiking", "") },
			func() (*model.Group, error) { return s.GroupByURI(ctx, g.URI) },
		} {
			got, err := get()
			if err != nil || got.ID != g.ID || got.DisplayName != "The hiking" {
				t.Fatalf("got %+v, %v", got, err)
			}
		}
		if got, err := s.GroupByName(ctx, "hiking", "127.0.0.1:8081"); err != nil || got.ID != remote.ID {
			t.Fatalf("remote: %v %v", got, err)
		}
		_, err := s.GroupByName(ctx, "nope", "")
		wantErr(t, err, storage.ErrNotFound)

		now := t0.Add(time.Hour)
		g.DisplayName, g.ArchivedAt, g.UpdatedAt = "Hiking", &now, now
		if err := s.UpdateGroup(ctx, g, "display_name", "archived_at", "updated_at"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Group(ctx, g.ID)
		if got.DisplayName != "Hiking" || !got.Archived() || !got.ArchivedAt.Equal(now) {
			t.Fatalf("after update: %+v", got)
		}
		wantErr(t, s.UpdateGroup(ctx, &model.Group{ID: "missing"}, "display_name"), storage.ErrNotFound)

		a := local(t, s, "ann")
		join(t, s, g, a, model.GroupOwner, model.MemberActive)
		groupPost(t, s, g, a, model.PostPublished, t0)
		if err := s.DeleteGroup(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "group_members", "group_id = ?", g.ID) + count(t, s, "posts", "group_id = ?", g.ID); n != 0 {
			t.Fatalf("%d rows left after deleting the group", n)
		}
	})
}

func TestMemberships(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		g := group(t, s, "chess", model.GroupClosed)
		other := group(t, s, "go", model.GroupOpen)
		ann, bob, cy, dee := local(t, s, "ann"), local(t, s, "bob"), local(t, s, "cy"), local(t, s, "dee")
		far := testrig.InsertRemoteAccount(t, s, "ann", "127.0.0.1:8081")
		join(t, s, g, ann, model.GroupOwner, model.MemberActive)
		join(t, s, g, bob, model.GroupMember, model.MemberActive)
		join(t, s, g, far, model.GroupMember, model.MemberActive)
		join(t, s, g, cy, model.GroupMember, model.MemberRequested)
		join(t, s, other, dee, model.GroupOwner, model.MemberActive)

		m, err := s.Membership(ctx, g.ID, cy.ID)
		if err != nil || m.State != model.MemberRequested || m.Role != model.GroupMember {
			t.Fatalf("cy: %+v %v", m, err)
		}
		_, err = s.Membership(ctx, g.ID, dee.ID)
		wantErr(t, err, storage.ErrNotFound)

		// Upsert: the request becomes an active moderator; created_at stays.
		later := t0.Add(time.Hour)
		err = s.SaveMembership(ctx, &model.Membership{GroupID: g.ID, AccountID: cy.ID, Role: model.GroupModerator,
			State: model.MemberActive, InvitedByID: &ann.ID, CreatedAt: later, UpdatedAt: later})
		if err != nil {
			t.Fatal(err)
		}
		m, _ = s.Membership(ctx, g.ID, cy.ID)
		if m.State != model.MemberActive || m.Role != model.GroupModerator || m.InvitedByID == nil || *m.InvitedByID != ann.ID ||
			!m.CreatedAt.Equal(t0) || !m.UpdatedAt.Equal(later) {
			t.Fatalf("after upsert: %+v", m)
		}

		mine, err := s.MembershipsOf(ctx, dee.ID, []string{g.ID, other.ID})
		if err != nil || len(mine) != 1 || mine[other.ID] == nil {
			t.Fatalf("memberships of dee: %v %v", mine, err)
		}
		counts, err := s.CountActiveMembers(ctx, []string{g.ID, other.ID})
		if err != nil || counts[g.ID] != 4 || counts[other.ID] != 1 {
			t.Fatalf("counts: %v %v", counts, err)
		}
		if n, err := s.CountOwners(ctx, g.ID); err != nil || n != 1 {
			t.Fatalf("owners: %d %v", n, err)
		}

		// Paging by username then domain: the local ann before the remote one.
		var got []string
		f := storage.MemberFilter{GroupID: g.ID, State: model.MemberActive, Limit: 2}
		for range 5 {
			page, err := s.GroupMembers(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				got = append(got, m.Account.Handle())
				if m.Membership.AccountID != m.Account.ID {
					t.Fatalf("membership %+v with account %s", m.Membership, m.Account.ID)
				}
			}
			if len(page) < f.Limit {
				break
			}
			last := page[len(page)-1].Account
			f.After, f.AfterDomain = last.Username, last.Domain
		}
		if want := []string{"@ann", "@ann@127.0.0.1:8081", "@bob", "@cy"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("members = %v, want %v", got, want)
		}
		requested, err := s.GroupMembers(ctx, storage.MemberFilter{GroupID: g.ID, State: model.MemberRequested, Limit: 10})
		if err != nil || len(requested) != 0 {
			t.Fatalf("requested: %v %v", requested, err)
		}

		if err := s.DeleteMembership(ctx, g.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Membership(ctx, g.ID, bob.ID)
		wantErr(t, err, storage.ErrNotFound)
	})
}

func TestGroupsDirectory(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		me := local(t, s, "me")
		alpha := group(t, s, "alpha", model.GroupOpen)
		group(t, s, "bravo", model.GroupClosed)
		charlie := group(t, s, "charlie", model.GroupSecret)
		delta := group(t, s, "delta", model.GroupSecret)
		echo := group(t, s, "echo", model.GroupSecret)
		group(t, s, "foxtrot", model.GroupSecret)
		// A remote site-only group is only for its own node's users.
		remote := &model.Group{ID: newID(t0), Name: "golf", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/golf",
			DisplayName: "Golf", Kind: model.GroupOpen, SiteOnly: true, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateGroup(ctx, remote); err != nil {
			t.Fatal(err)
		}
		join(t, s, charlie, me, model.GroupMember, model.MemberActive)
		join(t, s, delta, me, model.GroupMember, model.MemberInvited)
		join(t, s, echo, me, model.GroupMember, model.MemberBanned)
		join(t, s, alpha, me, model.GroupMember, model.MemberActive)

		list := func(f storage.GroupFilter) []string {
			t.Helper()
			if f.Limit == 0 {
				f.Limit = 20
			}
			got, err := s.Groups(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return groupNames(got)
		}
		v := storage.Viewer{AccountID: me.ID}
		cases := []struct {
			name string
			f    storage.GroupFilter
			want []string
		}{
			{"member", storage.GroupFilter{Viewer: v}, []string{"alpha", "bravo", "charlie", "delta"}},
			{"guest", storage.GroupFilter{Viewer: storage.Viewer{AccountID: me.ID, Guest: true}}, []string{"alpha", "charlie", "delta"}},
			{"mine", storage.GroupFilter{Viewer: v, Mine: true}, []string{"alpha", "charlie"}},
			{"text in name", storage.GroupFilter{Viewer: v, Text: "RAV"}, []string{"bravo"}},
			{"text in display name", storage.GroupFilter{Viewer: v, Text: "the c"}, []string{"charlie"}},
			{"wildcards literal", storage.GroupFilter{Viewer: v, Text: "%"}, []string{}},
			{"after", storage.GroupFilter{Viewer: v, After: "bravo"}, []string{"charlie", "delta"}},
			{"limit", storage.GroupFilter{Viewer: v, Limit: 2}, []string{"alpha", "bravo"}},
			{"remote node's user", storage.GroupFilter{Viewer: storage.Viewer{AccountID: "x"}, ViewerDomain: "127.0.0.1:8081"},
				[]string{"alpha", "bravo", "golf"}},
		}
		for _, c := range cases {
			if got := list(c.f); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	})
}

func TestGroupPostVisibility(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		g := group(t, s, "team", model.GroupClosed)
		owner, mod, member, author := local(t, s, "owner"), local(t, s, "mod"), local(t, s, "member"), local(t, s, "author")
		requested, banned, invited, outsider := local(t, s, "requested"), local(t, s, "banned"), local(t, s, "invited"), local(t, s, "outsider")
		join(t, s, g, owner, model.GroupOwner, model.MemberActive)
		join(t, s, g, mod, model.GroupModerator, model.MemberActive)
		join(t, s, g, member, model.GroupMember, model.MemberActive)
		join(t, s, g, author, model.GroupMember, model.MemberActive)
		join(t, s, g, requested, model.GroupMember, model.MemberRequested)
		join(t, s, g, banned, model.GroupMember, model.MemberBanned)
		join(t, s, g, invited, model.GroupMember, model.MemberInvited)
		// Followers of the author see nothing of the group through the follow.
		follow(t, s, outsider, author, true)
		follow(t, s, requested, author, true)
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		site := post(t, s, outsider, model.AudienceSite, at(1), nil)
		published := groupPost(t, s, g, author, model.PostPublished, at(2), "go")
		pending := groupPost(t, s, g, author, model.PostPending, at(3), "go")
		comment := post(t, s, member, "", at(4), published)
		comment.GroupID = published.GroupID

		all := []*model.Post{site, published, pending}
		cases := []struct {
			name  string
			v     storage.Viewer
			want  []*model.Post
			guest bool
		}{
			{"owner", storage.Viewer{AccountID: owner.ID}, []*model.Post{pending, published, site}, false},
			{"moderator", storage.Viewer{AccountID: mod.ID}, []*model.Post{pending, published, site}, false},
			{"author", storage.Viewer{AccountID: author.ID}, []*model.Post{pending, published, site}, false},
			{"member", storage.Viewer{AccountID: member.ID}, []*model.Post{published, site}, false},
			{"requested", storage.Viewer{AccountID: requested.ID}, []*model.Post{site}, false},
			{"banned", storage.Viewer{AccountID: banned.ID}, []*model.Post{site}, false},
			{"invited", storage.Viewer{AccountID: invited.ID}, []*model.Post{site}, false},
			{"outsider", storage.Viewer{AccountID: outsider.ID}, []*model.Post{site}, false},
			{"guest follower", storage.Viewer{AccountID: requested.ID, Guest: true}, []*model.Post{}, true},
			{"guest member", storage.Viewer{AccountID: member.ID, Guest: true}, []*model.Post{published}, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, f := range []storage.FeedFilter{
					{Viewer: c.v, Limit: 10},
					{Viewer: c.v, Limit: 10, Tag: "go"},
					{Viewer: c.v, Limit: 10, AuthorID: author.ID},
					{Viewer: c.v, Limit: 10, GroupID: g.ID},
				} {
					feed, err := s.Feed(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					var want []*model.Post
					for _, p := range c.want {
						if (f.Tag == "" || p != site) && (f.AuthorID == "" || p.AccountID == f.AuthorID) && (f.GroupID == "" || p.GroupID != nil) {
							want = append(want, p)
						}
					}
					if got := ids(feed); !reflect.DeepEqual(got, ids(want)) {
						t.Fatalf("feed %+v = %v, want %v", f, got, ids(want))
					}
				}
				seen := map[string]bool{}
				for _, p := range c.want {
					seen[p.ID] = true
				}
				seen[comment.ID] = seen[published.ID]
				for _, p := range append(all, comment) {
					_, err := s.VisiblePost(ctx, c.v, p.ID)
					if seen[p.ID] != (err == nil) {
						t.Errorf("post %s visible = %v, want %v", p.Source, err == nil, seen[p.ID])
					}
				}
				pinned, err := s.PinnedPosts(ctx, c.v, g.ID)
				if err != nil || len(pinned) != 0 {
					t.Fatalf("pinned before pinning: %v %v", pinned, err)
				}
			})
		}
		// The Following tab holds no group posts, not even the viewer's own.
		for _, v := range []*model.Account{author, member} {
			feed, err := s.Feed(ctx, storage.FeedFilter{Viewer: storage.Viewer{AccountID: v.ID}, Limit: 10, Following: true})
			if err != nil || len(feed) != 0 {
				t.Fatalf("following of %s: %v %v", v.Username, ids(feed), err)
			}
		}
		// A member who leaves sees nothing of the group any more, own posts included.
		if err := s.DeleteMembership(ctx, g.ID, author.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.VisiblePost(ctx, storage.Viewer{AccountID: author.ID}, published.ID)
		wantErr(t, err, storage.ErrNotFound)
	})
}

func TestPinsAndPending(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		g := group(t, s, "team", model.GroupOpen)
		ann, bob := local(t, s, "ann"), local(t, s, "bob")
		join(t, s, g, ann, model.GroupOwner, model.MemberActive)
		p1 := groupPost(t, s, g, ann, model.PostPublished, t0.Add(1*time.Minute))
		p2 := groupPost(t, s, g, ann, model.PostPublished, t0.Add(2*time.Minute))
		q1 := groupPost(t, s, g, ann, model.PostPending, t0.Add(3*time.Minute))
		q2 := groupPost(t, s, g, ann, model.PostPending, t0.Add(4*time.Minute))
		post(t, s, ann, "", t0.Add(5*time.Minute), q1) // comments are never listed as pending

		for i, p := range []*model.Post{p1, p2, p1} {
			pin := &model.GroupPin{GroupID: g.ID, PostID: p.ID, PinnedAt: t0.Add(time.Duration(i) * time.Hour), PinnedBy: ann.ID}
			if err := s.PinPost(ctx, pin); err != nil {
				t.Fatal(err)
			}
		}
		member := storage.Viewer{AccountID: ann.ID}
		pinned, err := s.PinnedPosts(ctx, member, g.ID)
		if err != nil || !reflect.DeepEqual(ids(pinned), ids([]*model.Post{p2, p1})) {
			t.Fatalf("pinned = %v, %v", ids(pinned), err)
		}
		if pinned, _ := s.PinnedPosts(ctx, storage.Viewer{AccountID: bob.ID}, g.ID); len(pinned) != 0 {
			t.Fatalf("non-member sees pins %v", ids(pinned))
		}
		if err := s.UnpinPost(ctx, g.ID, p2.ID); err != nil {
			t.Fatal(err)
		}
		if pinned, _ := s.PinnedPosts(ctx, member, g.ID); !reflect.DeepEqual(ids(pinned), ids([]*model.Post{p1})) {
			t.Fatalf("after unpin: %v", ids(pinned))
		}

		pending, err := s.PendingPosts(ctx, g.ID, 10)
		if err != nil || !reflect.DeepEqual(ids(pending), ids([]*model.Post{q1, q2})) {
			t.Fatalf("pending = %v, %v", ids(pending), err)
		}
		if err := s.SetPostState(ctx, q1.ID, model.PostPublished); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.SetPostState(ctx, "missing", model.PostPublished), storage.ErrNotFound)
		if pending, _ := s.PendingPosts(ctx, g.ID, 10); !reflect.DeepEqual(ids(pending), ids([]*model.Post{q2})) {
			t.Fatalf("after approval: %v", ids(pending))
		}
		if got, _ := s.Post(ctx, q1.ID); got.State != model.PostPublished {
			t.Fatalf("state %q", got.State)
		}
	})
}
