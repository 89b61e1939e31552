package social_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestModerateRejectTellsAuthorNode rejects a remote member's pending post on the home
// node: it is deleted and the group's rejection goes to the author's node. A local
// member's rejected post and a remote member's comment tell nobody.
func TestModerateRejectTellsAuthorNode(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		owner, local := e.member("owner"), e.member("lou")
		g, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: "news", DisplayName: "News",
			Kind: model.GroupOpen, PreModeration: true})
		if err != nil {
			t.Fatal(err)
		}
		e.joined(g, owner, local)
		rita := e.insertRemote("rita")
		in := social.Incoming{ActivityID: rita.URI + "/follows/1", Actor: rita, Trust: model.TrustSibling}
		if err := e.svc.Remote.ReceiveGroupFollow(e.ctx, in, in.ActivityID, g); err != nil {
			t.Fatal(err)
		}
		box.take()

		send := func(uri, parent string) *model.Post {
			t.Helper()
			in := social.Incoming{ActivityID: uri + "#create", Actor: rita, Trust: model.TrustSibling}
			err := e.svc.Remote.ReceiveGroupPost(e.ctx, in, g, social.RemotePost{URI: uri, Audience: model.AudienceGroup,
				HTML: "<p>hi</p>", CreatedAt: time.Now(), InReplyToURI: parent})
			if err != nil {
				t.Fatalf("group post %s: %v", uri, err)
			}
			p, err := e.store.PostByURI(e.ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		pending := send("http://127.0.0.1:8081/posts/1", "")
		if pending.State != model.PostPending {
			t.Fatalf("remote post is %q, want pending", pending.State)
		}
		none(t, box, "a pending remote post")
		if err := e.svc.Groups.Moderate(e.ctx, owner, pending.ID, false); err != nil {
			t.Fatal(err)
		}
		a := one(t, box, social.ActivityGroupRejectPost)
		if a.Group.ID != g.ID || a.Post.URI != pending.URI || a.Object.ID != rita.ID || a.Actor != nil || !a.Kind.ByGroup() {
			t.Errorf("rejection %+v", a)
		}
		if _, err := e.store.Post(e.ctx, pending.ID); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("rejected post still here: %v", err)
		}
		wantErr(t, e.svc.Groups.Moderate(e.ctx, owner, pending.ID, false), social.ErrNotFound)
		none(t, box, "a second rejection")

		// A local member's post is deleted only; nobody else holds it.
		mine := e.groupPost(local, g, "mine")
		if err := e.svc.Groups.Moderate(e.ctx, owner, mine.ID, false); err != nil {
			t.Fatal(err)
		}
		none(t, box, "rejecting a local post")

		// Comments are never pending, so never rejected: a remote member's comment on a
		// published post is relayed at once.
		top := e.groupPost(owner, g, "top")
		box.take()
		c := send("http://127.0.0.1:8081/posts/2", top.URI)
		if c.State != model.PostPublished {
			t.Errorf("remote comment is %q, want published", c.State)
		}
		one(t, box, social.ActivityGroupAnnounce)
	})
}

// TestReceiveGroupRejectedPost applies a remote group's rejection on the author's node:
// only the group's own rejection of this node's pending post in that group, by the
// named author, deletes it; everything else changes nothing.
func TestReceiveGroupRejectedPost(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		upsert := func(name string, pre bool) *model.Group {
			t.Helper()
			base := "http://127.0.0.1:8081/groups/" + name
			g, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: name, Domain: "127.0.0.1:8081", URI: base,
				InboxURI: base + "/inbox", Kind: model.GroupOpen, PreModeration: pre})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		news, other := upsert("news", true), upsert("other", false)
		mia, moe := e.member("mia"), e.member("moe")
		join := func(a *model.Account, g *model.Group) {
			t.Helper()
			if _, err := e.svc.Groups.Join(e.ctx, a, g.ID); err != nil {
				t.Fatal(err)
			}
			j := one(t, box, social.ActivityJoinGroup)
			if err := e.svc.Remote.ReceiveGroupAccept(e.ctx, g.URI+"#a-"+a.Username, g, j.Membership.FollowURI); err != nil {
				t.Fatal(err)
			}
		}
		join(mia, news)
		join(moe, news)
		join(mia, other)
		post := e.groupPost(mia, news, "for approval")
		if post.State != model.PostPending {
			t.Fatalf("post is %q, want pending", post.State)
		}
		box.take()
		still := func(what string) {
			t.Helper()
			p, err := e.store.Post(e.ctx, post.ID)
			if err != nil || p.State != model.PostPending {
				t.Fatalf("%s: post %+v %v, want it pending", what, p, err)
			}
		}
		n := 0
		reject := func(g *model.Group, author, uri string) error {
			n++
			return e.svc.Remote.ReceiveGroupRejectedPost(e.ctx, fmt.Sprintf("%s#rejects/%d", g.URI, n), g, author, uri)
		}

		wantErr(t, reject(other, mia.URI, post.URI), social.ErrForbidden)
		still("another group's rejection")
		wantErr(t, reject(news, moe.URI, post.URI), social.ErrForbidden)
		still("a rejection naming another author")
		local, err := e.svc.Groups.Create(e.ctx, mia, social.GroupInput{Name: "mine", DisplayName: "Mine", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.Remote.ReceiveGroupRejectedPost(e.ctx, "x#1", local, mia.URI, post.URI), social.ErrForbidden)
		still("a local group's rejection")
		if err := reject(news, mia.URI, "http://127.0.0.1:8080/posts/NOPE"); err != nil {
			t.Errorf("rejection of an unknown post: %v", err)
		}
		// A published post of the group stays.
		published := e.groupPost(mia, other, "published")
		box.take()
		if err := reject(other, mia.URI, published.URI); err != nil {
			t.Errorf("rejection of a published post: %v", err)
		}
		if p, err := e.store.Post(e.ctx, published.ID); err != nil || p.State != model.PostPublished {
			t.Errorf("published post after a rejection: %+v %v", p, err)
		}
		// Another node's post in the group is not this node's to drop on a rejection.
		rita := e.insertRemote("rita")
		in := social.Incoming{ActivityID: news.URI + "#announces/1", Actor: rita, Trust: model.TrustSibling}
		if err := e.svc.Remote.ReceiveAnnouncedPost(e.ctx, in, news, social.RemotePost{URI: "http://127.0.0.1:8081/posts/9",
			Audience: model.AudienceGroup, HTML: "<p>x</p>", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		wantErr(t, reject(news, rita.URI, "http://127.0.0.1:8081/posts/9"), social.ErrForbidden)
		if _, err := e.store.PostByURI(e.ctx, "http://127.0.0.1:8081/posts/9"); err != nil {
			t.Errorf("remote post after a refused rejection: %v", err)
		}
		still("the refusals")

		const id = "http://127.0.0.1:8081/groups/news#rejects/ok"
		if err := e.svc.Remote.ReceiveGroupRejectedPost(e.ctx, id, news, mia.URI, post.URI); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Post(e.ctx, post.ID); !errors.Is(err, social.ErrNotFound) {
			t.Errorf("rejected post still here: %v", err)
		}
		wantErr(t, e.svc.Remote.ReceiveGroupRejectedPost(e.ctx, id, news, mia.URI, post.URI), social.ErrDuplicate)
		if err := reject(news, mia.URI, post.URI); err != nil {
			t.Errorf("a second rejection: %v", err)
		}
		none(t, box, "receiving rejections")
	})
}

// TestGroupNotesOnlyThroughGroup checks that a group post or a comment in a group
// thread is never stored from its author alone (as a pushed or fetched note would be):
// group posts come in only through their group's rules, which check membership.
func TestGroupNotesOnlyThroughGroup(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		owner := e.member("owner")
		g, err := e.svc.Groups.Create(e.ctx, owner, social.GroupInput{Name: "team", DisplayName: "Team", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		top := e.groupPost(owner, g, "top")
		box.take()
		rita := e.insertRemote("rita")
		for i, p := range []social.RemotePost{
			{URI: "http://127.0.0.1:8081/posts/g1", Audience: model.AudienceGroup, HTML: "<p>x</p>", CreatedAt: time.Now()},
			{URI: "http://127.0.0.1:8081/posts/g2", Audience: model.AudienceCompany, HTML: "<p>x</p>", CreatedAt: time.Now(),
				InReplyToURI: top.URI},
		} {
			in := social.Incoming{ActivityID: p.URI + "#create", Actor: rita, Trust: model.TrustSibling}
			wantErr(t, e.svc.Remote.ReceivePost(e.ctx, in, p), social.ErrForbidden)
			if _, err := e.store.PostByURI(e.ctx, p.URI); !errors.Is(err, social.ErrNotFound) {
				t.Errorf("case %d stored: %v", i, err)
			}
		}
		// Nor relayed by a group this node has no member of.
		remote, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "far", Domain: "127.0.0.1:8081",
			URI: "http://127.0.0.1:8081/groups/far", InboxURI: "http://127.0.0.1:8081/groups/far/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		in := social.Incoming{ActivityID: remote.URI + "#announces/1", Actor: rita, Trust: model.TrustSibling}
		wantErr(t, e.svc.Remote.ReceiveAnnouncedPost(e.ctx, in, remote, social.RemotePost{URI: "http://127.0.0.1:8081/posts/g3",
			Audience: model.AudienceGroup, HTML: "<p>x</p>", CreatedAt: time.Now()}), social.ErrForbidden)
		none(t, box, "refused notes")
	})
}
