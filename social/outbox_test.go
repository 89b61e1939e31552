package social_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// recordingOutbox records the activities handed to it. It also writes a marker row with
// the transaction it was given, so tests see that the row commits or rolls back with the
// change, and it checks that the change is already visible in that transaction.
type recordingOutbox struct {
	mu   sync.Mutex
	acts []social.Activity
	// fail makes Enqueue fail with this error.
	fail error
	// problems are what Enqueue found wrong about how it was called.
	problems []string
	// calls numbers the marker rows.
	calls int
}

func (o *recordingOutbox) Enqueue(ctx context.Context, tx *storage.Store, a social.Activity) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if tx == nil {
		o.problems = append(o.problems, string(a.Kind)+": no transaction")
		return errors.New("no transaction")
	}
	if a.Actor == nil || !a.Actor.Local() {
		o.problems = append(o.problems, string(a.Kind)+": actor not local")
	}
	if a.Kind == social.ActivityCreate || a.Kind == social.ActivityUpdate {
		if _, err := tx.Post(ctx, a.Post.ID); err != nil {
			o.problems = append(o.problems, string(a.Kind)+": post not visible in the transaction")
		}
	}
	// The marker stands in for a delivery row.
	o.calls++
	marker := &model.Delivery{ID: "M" + strconv.Itoa(o.calls), ActivityID: string(a.Kind),
		InboxURI: "http://127.0.0.1:9/inbox/" + strconv.Itoa(o.calls), Origin: "http://127.0.0.1:9", Payload: "{}",
		Status: model.DeliveryPending}
	if err := tx.InsertDeliveries(ctx, []*model.Delivery{marker}); err != nil {
		return err
	}
	if o.fail != nil {
		return o.fail
	}
	o.acts = append(o.acts, a)
	return nil
}

// take returns the activities recorded since the last call.
func (o *recordingOutbox) take() []social.Activity {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.acts
	o.acts = nil
	return out
}

// outboxEnv is an env whose rules hand activities to a recording outbox.
func outboxEnv(t *testing.T, store *storage.Store) (*env, *recordingOutbox) {
	t.Helper()
	r := testrig.NewRig(t, store)
	box := &recordingOutbox{}
	deps := r.Deps
	deps.Outbox = box
	e := &env{t: t, ctx: context.Background(), store: store, svc: social.New(deps), clock: r.Clock, deps: deps}
	return e, box
}

// one fails unless exactly one activity of kind was recorded, and returns it.
func one(t *testing.T, box *recordingOutbox, kind social.ActivityKind) social.Activity {
	t.Helper()
	got := box.take()
	if len(got) != 1 || got[0].Kind != kind {
		kinds := []social.ActivityKind{}
		for _, a := range got {
			kinds = append(kinds, a.Kind)
		}
		t.Fatalf("recorded %v, want one %s", kinds, kind)
	}
	return got[0]
}

// none fails if anything was recorded.
func none(t *testing.T, box *recordingOutbox, what string) {
	t.Helper()
	if got := box.take(); len(got) != 0 {
		t.Fatalf("%s recorded %d activities (first %s)", what, len(got), got[0].Kind)
	}
}

func TestOutboxPosts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e, box := outboxEnv(t, store)
		root := e.admin("root")
		mia := e.member("mia")
		bob := e.member("bob")
		box.take()

		p := e.post(mia, "Hello", model.AudienceCompany)
		a := one(t, box, social.ActivityCreate)
		if a.Actor.ID != mia.ID || a.Post.ID != p.ID || a.Post.Audience != model.AudienceCompany || a.Parent != nil {
			t.Fatalf("create %+v", a)
		}
		// Site posts are handed over too: the outbox decides that nobody receives them.
		e.post(mia, "Only here", model.AudienceSite)
		if a := one(t, box, social.ActivityCreate); a.Post.Audience != model.AudienceSite {
			t.Fatalf("site create %+v", a.Post)
		}

		c := e.comment(bob, p.ID, "Nice")
		a = one(t, box, social.ActivityCreate)
		if a.Post.ID != c.ID || a.Parent == nil || a.Parent.ID != p.ID || a.Post.Audience != model.AudienceCompany {
			t.Fatalf("comment create %+v parent %+v", a.Post, a.Parent)
		}

		if _, err := e.svc.Posts.Edit(e.ctx, bob, c.ID, "Very nice"); err != nil {
			t.Fatal(err)
		}
		a = one(t, box, social.ActivityUpdate)
		if a.Post.Source != "Very nice" || a.Post.EditedAt == nil || a.Parent == nil || a.Parent.ID != p.ID {
			t.Fatalf("update %+v", a.Post)
		}
		if _, err := e.svc.Posts.Edit(e.ctx, bob, c.ID, "Very nice"); err != nil {
			t.Fatal(err)
		}
		none(t, box, "an edit that changes nothing")

		// Reactions: on and off once each, with the reaction's URI as activity id.
		for i := 0; i < 2; i++ {
			if err := e.svc.Posts.React(e.ctx, bob, p.ID, "celebrate", true); err != nil {
				t.Fatal(err)
			}
		}
		a = one(t, box, social.ActivityReact)
		if a.Reaction == nil || a.Reaction.Kind != "celebrate" || a.Post.ID != p.ID ||
			!strings.HasPrefix(a.Reaction.URI, testrig.BaseURL+"/reactions/") {
			t.Fatalf("react %+v", a.Reaction)
		}
		uri := a.Reaction.URI
		for i := 0; i < 2; i++ {
			if err := e.svc.Posts.React(e.ctx, bob, p.ID, "celebrate", false); err != nil {
				t.Fatal(err)
			}
		}
		if a := one(t, box, social.ActivityUndoReact); a.Reaction.URI != uri || a.Reaction.AccountID != bob.ID {
			t.Fatalf("undo react %+v, want URI %s", a.Reaction, uri)
		}

		// An admin deleting bob's comment: the Delete is bob's, with the parent.
		if err := e.svc.Posts.Delete(e.ctx, root, c.ID); err != nil {
			t.Fatal(err)
		}
		a = one(t, box, social.ActivityDelete)
		if a.Actor.ID != bob.ID || a.Post.ID != c.ID || a.Parent == nil || a.Parent.ID != p.ID {
			t.Fatalf("delete %+v by %s", a.Post, a.Actor.Username)
		}
		if err := e.svc.Posts.Delete(e.ctx, mia, p.ID); err != nil {
			t.Fatal(err)
		}
		if a := one(t, box, social.ActivityDelete); a.Post.ID != p.ID || a.Parent != nil {
			t.Fatalf("delete root %+v", a.Post)
		}
		if len(box.problems) > 0 {
			t.Fatalf("outbox misused: %v", box.problems)
		}
		if n := e.count("deliveries", "1 = 1"); n != 8 {
			t.Fatalf("%d marker rows committed, want 8", n)
		}
	})
}

func TestOutboxFollowsAndProfiles(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e, box := outboxEnv(t, store)
		mia := e.member("mia")
		bob := e.member("bob")
		remote := e.insertRemote("rem")
		box.take()

		e.follow(mia, bob)
		if err := e.svc.Follows.Unfollow(e.ctx, mia, bob.ID); err != nil {
			t.Fatal(err)
		}
		none(t, box, "a local follow and unfollow")

		for i := 0; i < 2; i++ {
			e.follow(mia, remote)
		}
		a := one(t, box, social.ActivityFollow)
		if a.Follow == nil || a.Follow.Accepted || a.Object.ID != remote.ID ||
			!strings.HasPrefix(a.Follow.URI, testrig.BaseURL+"/users/mia/follows/") {
			t.Fatalf("follow %+v", a.Follow)
		}
		followURI := a.Follow.URI
		for i := 0; i < 2; i++ {
			if err := e.svc.Follows.Unfollow(e.ctx, mia, remote.ID); err != nil {
				t.Fatal(err)
			}
		}
		if a := one(t, box, social.ActivityUndoFollow); a.Follow.URI != followURI || a.Object.ID != remote.ID {
			t.Fatalf("undo follow %+v", a.Follow)
		}

		if err := e.svc.Profiles.Update(e.ctx, mia, social.ProfileInput{DisplayName: "Mia M", Email: "mia@example.com", Skills: "Go"}); err != nil {
			t.Fatal(err)
		}
		a = one(t, box, social.ActivityUpdateProfile)
		if a.Actor.ID != mia.ID || a.Actor.DisplayName != "Mia M" || len(a.Actor.Skills) != 1 {
			t.Fatalf("profile update %+v", a.Actor)
		}
		if err := e.svc.Profiles.SetAvatar(e.ctx, mia, bytes.NewReader(encodePNG(t, stripes(40, 30)))); err != nil {
			t.Fatal(err)
		}
		if a := one(t, box, social.ActivityUpdateProfile); a.Actor.AvatarFile == "" || a.Actor.AvatarFile != mia.AvatarFile {
			t.Fatalf("avatar update %+v", a.Actor)
		}
		if len(box.problems) > 0 {
			t.Fatalf("outbox misused: %v", box.problems)
		}
	})
}

// TestOutboxFailureRollsBack shows that every change and its deliveries are one
// transaction: when the outbox fails, nothing of the change is left.
func TestOutboxFailureRollsBack(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e, box := outboxEnv(t, store)
		mia := e.member("mia")
		bob := e.member("bob")
		remote := e.insertRemote("rem")
		p := e.post(mia, "Hello", model.AudienceCompany)
		e.follow(bob, remote)
		if err := e.svc.Posts.React(e.ctx, bob, p.ID, "like", true); err != nil {
			t.Fatal(err)
		}
		box.take()
		down := errors.New("queue down")
		box.fail = down
		markers := e.count("deliveries", "1 = 1")
		avatarBefore := e.reload(mia).AvatarFile

		cases := []struct {
			name  string
			do    func() error
			check func(t *testing.T)
		}{
			{"create", func() error {
				_, err := e.svc.Posts.Create(e.ctx, mia, social.PostInput{Source: "lost", Audience: model.AudienceCompany})
				return err
			}, func(t *testing.T) {
				if n := e.count("posts", "source = ?", "lost"); n != 0 {
					t.Fatal("post kept")
				}
			}},
			{"edit", func() error {
				_, err := e.svc.Posts.Edit(e.ctx, mia, p.ID, "changed")
				return err
			}, func(t *testing.T) {
				if n := e.count("posts", "id = ? AND source = ?", p.ID, "Hello"); n != 1 {
					t.Fatal("edit kept")
				}
				if n := e.count("post_edits", "post_id = ?", p.ID); n != 0 {
					t.Fatal("history kept")
				}
			}},
			{"react", func() error { return e.svc.Posts.React(e.ctx, mia, p.ID, "love", true) }, func(t *testing.T) {
				if n := e.count("reactions", "account_id = ?", mia.ID); n != 0 {
					t.Fatal("reaction kept")
				}
			}},
			{"unreact", func() error { return e.svc.Posts.React(e.ctx, bob, p.ID, "like", false) }, func(t *testing.T) {
				if n := e.count("reactions", "account_id = ?", bob.ID); n != 1 {
					t.Fatal("reaction removed")
				}
			}},
			{"delete", func() error { return e.svc.Posts.Delete(e.ctx, mia, p.ID) }, func(t *testing.T) {
				if n := e.count("posts", "id = ?", p.ID); n != 1 {
					t.Fatal("post deleted")
				}
			}},
			{"follow remote", func() error { return e.svc.Follows.Follow(e.ctx, mia, remote.ID) }, func(t *testing.T) {
				if n := e.count("follows", "follower_id = ?", mia.ID); n != 0 {
					t.Fatal("follow kept")
				}
			}},
			{"unfollow remote", func() error { return e.svc.Follows.Unfollow(e.ctx, bob, remote.ID) }, func(t *testing.T) {
				if n := e.count("follows", "follower_id = ?", bob.ID); n != 1 {
					t.Fatal("follow removed")
				}
			}},
			{"profile", func() error {
				return e.svc.Profiles.Update(e.ctx, mia, social.ProfileInput{DisplayName: "Renamed", Email: "mia@example.com"})
			}, func(t *testing.T) {
				if got := e.reload(mia); got.DisplayName != "mia" {
					t.Fatalf("display name %q kept", got.DisplayName)
				}
				if mia.DisplayName != "mia" {
					t.Fatalf("caller's account changed to %q", mia.DisplayName)
				}
			}},
			{"avatar", func() error {
				return e.svc.Profiles.SetAvatar(e.ctx, mia, bytes.NewReader(encodePNG(t, stripes(40, 30))))
			}, func(t *testing.T) {
				if got := e.reload(mia); got.AvatarFile != avatarBefore || mia.AvatarFile != avatarBefore {
					t.Fatalf("avatar %q kept", got.AvatarFile)
				}
				if files := avatarFiles(t, e.deps.DataDir); len(files) != 0 {
					t.Fatalf("avatar files left: %v", files)
				}
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := c.do(); !errors.Is(err, down) {
					t.Fatalf("err = %v, want the outbox's", err)
				}
				c.check(t)
				if n := e.count("deliveries", "1 = 1"); n != markers {
					t.Fatalf("%d marker rows, want %d: deliveries must roll back with the change", n, markers)
				}
			})
		}
		none(t, box, "failed changes")
	})
}
