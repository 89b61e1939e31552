package social_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// recOutbox records what the rules hand to federation.
type recOutbox struct {
	mu   sync.Mutex
	acts []social.Activity
}

func (o *recOutbox) Enqueue(_ context.Context, _ *storage.Store, a social.Activity) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.acts = append(o.acts, a)
	return nil
}

func (o *recOutbox) kinds() []social.ActivityKind {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []social.ActivityKind
	for _, a := range o.acts {
		out = append(out, a.Kind)
	}
	return out
}

// remoteEnv is an env whose outbox records activities.
func remoteEnv(t *testing.T, store *storage.Store) (*env, *recOutbox) {
	r := testrig.NewRig(t, store)
	ob := &recOutbox{}
	r.Deps.Outbox = ob
	svc := social.New(r.Deps)
	return &env{t: t, ctx: context.Background(), store: store, svc: svc, clock: r.Clock, deps: r.Deps}, ob
}

const nodeB = "http://127.0.0.1:8082"

func (e *env) remoteActor(name string, trust model.Trust) *model.Account {
	e.t.Helper()
	uri := nodeB + "/users/" + name
	if trust == model.TrustPartner {
		uri = "http://127.0.0.1:8099/users/" + name
	}
	a, err := e.svc.Remote.UpsertActor(e.ctx, social.ActorInput{Account: model.Account{
		Username: name, Domain: strings.TrimPrefix(uri[:strings.Index(uri, "/users")], "http://"), URI: uri,
		InboxURI: uri + "/inbox", FollowersURI: uri + "/followers", Role: model.RoleMember, DisplayName: name,
		PublicKeyPEM: "pem",
	}}, trust)
	if err != nil {
		e.t.Fatalf("upsert %s: %v", name, err)
	}
	return a
}

// activitySeq numbers the activity ids tests make up.
var activitySeq atomic.Int64

// in is a fresh incoming activity of actor.
func (e *env) in(actor *model.Account, trust model.Trust) social.Incoming {
	id := fmt.Sprintf("%s/activities/%d", actor.URI, activitySeq.Add(1))
	return social.Incoming{ActivityID: id, Actor: actor, Trust: trust}
}

func TestUpsertActor(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		in := social.ActorInput{Account: model.Account{Username: "bob", Domain: "127.0.0.1:8082", URI: nodeB + "/users/bob",
			InboxURI: nodeB + "/users/bob/inbox", Role: model.RoleMember, DisplayName: "Bob", PublicKeyPEM: "k1"},
			SummaryHTML: `<p>Hi<script>alert(1)</script><a href="javascript:x">l</a></p>`, ManagerURI: alice.URI}
		sib, err := e.svc.Remote.UpsertActor(e.ctx, in, model.TrustSibling)
		if err != nil {
			t.Fatal(err)
		}
		if sib.Role != model.RoleMember || strings.Contains(sib.AboutHTML, "script") || strings.Contains(sib.AboutHTML, "javascript") ||
			sib.ManagerID == nil || *sib.ManagerID != alice.ID || sib.FetchedAt == nil || sib.Local() {
			t.Errorf("sibling actor: %+v", sib)
		}
		in.Account.Role = model.RoleAdmin
		in.Account.PublicKeyPEM = "k2"
		part, err := e.svc.Remote.UpsertActor(e.ctx, in, model.TrustPartner)
		if err != nil {
			t.Fatal(err)
		}
		if part.ID != sib.ID || part.Role != model.RoleGuest || part.PublicKeyPEM != "k2" {
			t.Errorf("partner actor: %+v", part)
		}
		in.Account.Role = model.RoleGuest
		g, _ := e.svc.Remote.UpsertActor(e.ctx, in, model.TrustSibling)
		if g.Role != model.RoleGuest {
			t.Errorf("self-declared guest became %s", g.Role)
		}
		// A remote document can never take over a local account.
		forged := in
		forged.Account.URI = alice.URI
		if _, err := e.svc.Remote.UpsertActor(e.ctx, forged, model.TrustSibling); err == nil {
			t.Error("local account overwritten")
		}
		own := in
		own.Account.Domain = "127.0.0.1:8080"
		own.Account.URI = testrig.BaseURL + "/users/zed"
		if _, err := e.svc.Remote.UpsertActor(e.ctx, own, model.TrustSibling); err == nil {
			t.Error("actor claiming this node accepted")
		}
	})
}

func TestReceiveFollow(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e, ob := remoteEnv(t, store)
		alice := e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		in := e.in(bob, model.TrustSibling)
		if err := e.svc.Remote.ReceiveFollow(e.ctx, in, bob.URI+"/follows/1", alice.URI); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.Remote.ReceiveFollow(e.ctx, in, bob.URI+"/follows/1", alice.URI), social.ErrDuplicate)
		if got := ob.kinds(); len(got) != 1 || got[0] != social.ActivityAccept {
			t.Fatalf("outbox = %v", got)
		}
		if ob.acts[0].Actor.ID != alice.ID || ob.acts[0].Object.ID != bob.ID || ob.acts[0].Follow.URI != bob.URI+"/follows/1" {
			t.Errorf("accept: %+v", ob.acts[0])
		}
		if ok, _ := e.store.IsFollowing(e.ctx, bob.ID, alice.ID); !ok {
			t.Error("follow not stored as accepted")
		}
		// Refused: nothing recorded, not even the activity id.
		bad := e.in(bob, model.TrustSibling)
		wantErr(t, e.svc.Remote.ReceiveFollow(e.ctx, bad, bob.URI+"/follows/2", testrig.BaseURL+"/users/nobody"), social.ErrNotFound)
		if n := e.count("processed_activities", "uri = ?", bad.ActivityID); n != 0 {
			t.Error("refused activity marked processed")
		}
		carol := e.remoteActor("carol", model.TrustSibling)
		wantErr(t, e.svc.Remote.ReceiveFollow(e.ctx, e.in(bob, model.TrustSibling), bob.URI+"/follows/3", carol.URI), social.ErrNotFound)

		// Undo by someone else is refused; by the follower it ends the follow.
		wantErr(t, e.svc.Remote.ReceiveUndo(e.ctx, e.in(carol, model.TrustSibling), bob.URI+"/follows/1"), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveUndo(e.ctx, e.in(bob, model.TrustSibling), bob.URI+"/follows/1"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := e.store.IsFollowing(e.ctx, bob.ID, alice.ID); ok {
			t.Error("follow survived Undo")
		}
		if err := e.svc.Remote.ReceiveUndo(e.ctx, e.in(bob, model.TrustSibling), bob.URI+"/follows/1"); err != nil {
			t.Errorf("undo of nothing: %v", err)
		}
	})
}

func TestReceiveAcceptReject(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		carol := e.remoteActor("carol", model.TrustSibling)
		e.follow(alice, bob)
		f, err := e.store.FollowBetween(e.ctx, alice.ID, bob.ID)
		if err != nil || f.Accepted {
			t.Fatalf("pending follow: %+v %v", f, err)
		}
		wantErr(t, e.svc.Remote.ReceiveAccept(e.ctx, e.in(carol, model.TrustSibling), f.URI), social.ErrForbidden)
		wantErr(t, e.svc.Remote.ReceiveAccept(e.ctx, e.in(bob, model.TrustSibling), f.URI+"x"), social.ErrNotFound)
		if err := e.svc.Remote.ReceiveAccept(e.ctx, e.in(bob, model.TrustSibling), f.URI); err != nil {
			t.Fatal(err)
		}
		if ok, _ := e.store.IsFollowing(e.ctx, alice.ID, bob.ID); !ok {
			t.Error("not accepted")
		}
		wantErr(t, e.svc.Remote.ReceiveReject(e.ctx, e.in(carol, model.TrustSibling), f.URI), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveReject(e.ctx, e.in(bob, model.TrustSibling), f.URI); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.FollowBetween(e.ctx, alice.ID, bob.ID); err == nil {
			t.Error("follow survived Reject")
		}
	})
}

func remotePost(author *model.Account, id string, aud model.Audience) social.RemotePost {
	return social.RemotePost{URI: nodeB + "/posts/" + id, Audience: aud, HTML: `<p>Hello <img src=x onerror=alert(1)> #Plant</p>`,
		CreatedAt: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), Tags: []string{"#Plant", "bad tag!"},
		MentionURIs: []string{testrig.BaseURL + "/users/alice", nodeB + "/users/unknown"}}
}

func TestReceivePostAudiences(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		pat := e.remoteActor("pat", model.TrustPartner)
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), remotePost(bob, "1", model.AudienceCompany)); err != nil {
			t.Fatal(err)
		}
		p, err := e.store.PostByURI(e.ctx, nodeB+"/posts/1")
		if err != nil {
			t.Fatal(err)
		}
		if p.Local || p.AccountID != bob.ID || strings.Contains(p.HTML, "onerror") || p.Audience != model.AudienceCompany {
			t.Errorf("stored post: %+v", p)
		}
		if got := e.postTags(p.ID); len(got) != 1 || got[0] != "plant" {
			t.Errorf("tags %v", got)
		}
		if got := e.postMentions(p.ID); len(got) != 1 || got[0] != "alice" {
			t.Errorf("mentions %v", got)
		}

		patPost := remotePost(pat, "2", model.AudienceCompany)
		patPost.URI = "http://127.0.0.1:8099/posts/2"
		wantErr(t, e.svc.Remote.ReceivePost(e.ctx, e.in(pat, model.TrustPartner), patPost), social.ErrForbidden)
		// A sibling node cannot make its guests speak to the company either.
		guest := e.remoteActor("gus", model.TrustSibling)
		guest.Role = model.RoleGuest
		wantErr(t, e.svc.Remote.ReceivePost(e.ctx, e.in(guest, model.TrustSibling), remotePost(guest, "3", model.AudienceCompany)), social.ErrForbidden)

		// Followers posts need a local follower.
		wantErr(t, e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), remotePost(bob, "4", model.AudienceFollowers)), social.ErrForbidden)
		alice, _ := e.svc.Accounts.ByUsername(e.ctx, "alice")
		e.follow(alice, bob)
		f, _ := e.store.FollowBetween(e.ctx, alice.ID, bob.ID)
		if err := e.svc.Remote.ReceiveAccept(e.ctx, e.in(bob, model.TrustSibling), f.URI); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), remotePost(bob, "4", model.AudienceFollowers)); err != nil {
			t.Fatal(err)
		}
		if n := e.count("posts", "uri LIKE ?", nodeB+"/posts/%"); n != 2 {
			t.Errorf("%d remote posts stored, want 2", n)
		}
		// The same URI again from another author is a conflict, from the author a no-op.
		carol := e.remoteActor("carol", model.TrustSibling)
		wantErr(t, e.svc.Remote.ReceivePost(e.ctx, e.in(carol, model.TrustSibling), remotePost(carol, "1", model.AudienceCompany)), storage.ErrConflict)
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), remotePost(bob, "1", model.AudienceCompany)); err != nil {
			t.Errorf("repeat by author: %v", err)
		}
	})
}

func TestReceiveComments(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		pat := e.remoteActor("pat", model.TrustPartner)
		company := e.post(alice, "company news", model.AudienceCompany)
		private := e.post(alice, "for followers", model.AudienceFollowers)
		site := e.post(alice, "site only", model.AudienceSite)

		c := remotePost(bob, "c1", model.AudienceFollowers)
		c.InReplyToURI = company.URI
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), c); err != nil {
			t.Fatal(err)
		}
		got, _ := e.store.PostByURI(e.ctx, c.URI)
		if got.RootID == nil || *got.RootID != company.ID || got.Audience != model.AudienceCompany {
			t.Errorf("comment: %+v", got)
		}
		// A comment on a comment joins the thread.
		c2 := remotePost(bob, "c2", model.AudienceCompany)
		c2.InReplyToURI = c.URI
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), c2); err != nil {
			t.Fatal(err)
		}
		got2, _ := e.store.PostByURI(e.ctx, c2.URI)
		if got2.RootID == nil || *got2.RootID != company.ID || *got2.InReplyToID != got.ID {
			t.Errorf("reply to comment: %+v", got2)
		}

		for name, tc := range map[string]struct {
			actor  *model.Account
			trust  model.Trust
			parent string
			want   error
		}{
			"partner on company post":   {pat, model.TrustPartner, company.URI, social.ErrForbidden},
			"non-follower on followers": {bob, model.TrustSibling, private.URI, social.ErrForbidden},
			"anyone on a site post":     {bob, model.TrustSibling, site.URI, social.ErrForbidden},
			"unknown parent":            {bob, model.TrustSibling, nodeB + "/posts/none", social.ErrNotFound},
		} {
			t.Run(name, func(t *testing.T) {
				p := remotePost(tc.actor, "x"+strings.ReplaceAll(name, " ", ""), model.AudienceCompany)
				p.URI = strings.Replace(p.URI, nodeB, tc.actor.URI[:strings.Index(tc.actor.URI, "/users")], 1)
				p.InReplyToURI = tc.parent
				wantErr(t, e.svc.Remote.ReceivePost(e.ctx, e.in(tc.actor, tc.trust), p), tc.want)
			})
		}
		// Once bob follows alice he may comment on her followers post.
		if err := e.svc.Remote.ReceiveFollow(e.ctx, e.in(bob, model.TrustSibling), bob.URI+"/follows/9", alice.URI); err != nil {
			t.Fatal(err)
		}
		c3 := remotePost(bob, "c3", model.AudienceCompany)
		c3.InReplyToURI = private.URI
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), c3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReceiveUpdateDeletePost(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		bob := e.remoteActor("bob", model.TrustSibling)
		carol := e.remoteActor("carol", model.TrustSibling)
		p := remotePost(bob, "1", model.AudienceCompany)
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(bob, model.TrustSibling), p); err != nil {
			t.Fatal(err)
		}
		p.HTML = "<p>Edited <b>text</b><script>x</script></p>"
		wantErr(t, e.svc.Remote.ReceiveUpdatePost(e.ctx, e.in(carol, model.TrustSibling), p), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveUpdatePost(e.ctx, e.in(bob, model.TrustSibling), p); err != nil {
			t.Fatal(err)
		}
		got, _ := e.store.PostByURI(e.ctx, p.URI)
		if got.HTML != "<p>Edited <b>text</b></p>" || got.EditedAt == nil {
			t.Errorf("updated: %+v", got)
		}
		if edits, _ := e.store.PostEdits(e.ctx, got.ID); len(edits) != 1 || !strings.Contains(edits[0].HTML, "Hello") {
			t.Errorf("history: %+v", edits)
		}
		wantErr(t, e.svc.Remote.ReceiveUpdatePost(e.ctx, e.in(bob, model.TrustSibling), remotePost(bob, "nope", model.AudienceCompany)), social.ErrNotFound)

		wantErr(t, e.svc.Remote.ReceiveDeletePost(e.ctx, e.in(carol, model.TrustSibling), p.URI), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveDeletePost(e.ctx, e.in(bob, model.TrustSibling), p.URI); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.PostByURI(e.ctx, p.URI); err == nil {
			t.Error("post survived Delete")
		}
		if err := e.svc.Remote.ReceiveDeletePost(e.ctx, e.in(bob, model.TrustSibling), p.URI); err != nil {
			t.Errorf("delete of nothing: %v", err)
		}
	})
}

func TestReceiveReaction(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.member("alice")
		bob := e.remoteActor("bob", model.TrustSibling)
		pat := e.remoteActor("pat", model.TrustPartner)
		p := e.post(alice, "hello", model.AudienceCompany)
		like := social.RemoteReaction{URI: bob.URI + "#likes/1", PostURI: p.URI, Kind: model.ReactionLike}
		if err := e.svc.Remote.ReceiveReaction(e.ctx, e.in(bob, model.TrustSibling), like); err != nil {
			t.Fatal(err)
		}
		party := social.RemoteReaction{URI: bob.URI + "#react/2", PostURI: p.URI, Kind: social.ReactionKindOf("🎉")}
		if err := e.svc.Remote.ReceiveReaction(e.ctx, e.in(bob, model.TrustSibling), party); err != nil {
			t.Fatal(err)
		}
		if n := e.count("reactions", "post_id = ? AND account_id = ?", p.ID, bob.ID); n != 2 {
			t.Errorf("%d reactions, want 2", n)
		}
		bad := like
		bad.Kind = ""
		if _, ok := social.AsValidation(e.svc.Remote.ReceiveReaction(e.ctx, e.in(bob, model.TrustSibling), bad)); !ok {
			t.Error("unknown reaction accepted")
		}
		wantErr(t, e.svc.Remote.ReceiveReaction(e.ctx, e.in(pat, model.TrustPartner),
			social.RemoteReaction{URI: pat.URI + "#l", PostURI: p.URI, Kind: model.ReactionLike}), social.ErrForbidden)
		wantErr(t, e.svc.Remote.ReceiveUndo(e.ctx, e.in(pat, model.TrustPartner), like.URI), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveUndo(e.ctx, e.in(bob, model.TrustSibling), like.URI); err != nil {
			t.Fatal(err)
		}
		if n := e.count("reactions", "post_id = ? AND account_id = ?", p.ID, bob.ID); n != 1 {
			t.Errorf("%d reactions after Undo, want 1", n)
		}
	})
}

func TestReceiveActorUpdate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		bob := e.remoteActor("bob", model.TrustSibling)
		carol := e.remoteActor("carol", model.TrustSibling)
		in := social.ActorInput{Account: *bob}
		in.Account.DisplayName = "Robert"
		wantErr(t, e.svc.Remote.ReceiveActorUpdate(e.ctx, e.in(carol, model.TrustSibling), in), social.ErrForbidden)
		if err := e.svc.Remote.ReceiveActorUpdate(e.ctx, e.in(bob, model.TrustSibling), in); err != nil {
			t.Fatal(err)
		}
		if got := e.reload(bob); got.DisplayName != "Robert" {
			t.Errorf("display name %q", got.DisplayName)
		}
	})
}

// The inbox requests of a node seen for the first time store its actor at once: each
// gets the one stored account, none an error (on PostgreSQL the transaction that loses
// the race runs again).
func TestUpsertActorConcurrently(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for round := 0; round < 40; round++ {
			in := listed(sibHost, fmt.Sprintf("racer%d", round), "", "", "", "")
			ids := make([]string, 6)
			errs := make([]error, 6)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					a, err := e.svc.Remote.UpsertActor(e.ctx, in, model.TrustSibling)
					errs[i] = err
					if a != nil {
						ids[i] = a.ID
					}
				}()
			}
			close(start)
			wg.Wait()
			for i := range ids {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Fatalf("round %d: upsert %d: %s (first %s), %v", round, i, ids[i], ids[0], errs[i])
				}
			}
		}
	})
}
