package social_test

import (
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestPostRateLimit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		clock := testrig.NewClock()
		deps := testrig.SocialDeps(t, store)
		deps.Now, deps.PostRate, deps.PostBurst = clock.Now, 30, 3
		svc := social.New(deps)
		ctx := t.Context()
		mia := testrig.CreateAccount(t, svc, "mia", model.RoleMember)
		bob := testrig.CreateAccount(t, svc, "bob", model.RoleMember)

		first, err := svc.Posts.Create(ctx, mia, social.PostInput{Source: "one", Audience: model.AudienceSite})
		if err != nil {
			t.Fatal(err)
		}
		// Comments take from the same bucket as posts.
		for _, in := range []social.PostInput{{Source: "two", Audience: model.AudienceSite}, {Source: "re", InReplyToID: first.ID}} {
			if _, err := svc.Posts.Create(ctx, mia, in); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range []social.PostInput{{Source: "four", Audience: model.AudienceSite}, {Source: "re2", InReplyToID: first.ID}} {
			_, err := svc.Posts.Create(ctx, mia, in)
			if !errors.Is(err, social.ErrRateLimited) {
				t.Fatalf("over the burst: err = %v, want ErrRateLimited", err)
			}
			if wait := social.RetryAfter(err); wait <= 0 || wait > 2*time.Second {
				t.Fatalf("retry after %v, want at most 2s at 30/min", wait)
			}
		}
		n, err := store.DB().NewSelect().TableExpr("posts").Where("account_id = ?", mia.ID).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("%d posts stored, want the 3 allowed", n)
		}
		// Another account has its own bucket, and mia's refills with time.
		if _, err := svc.Posts.Create(ctx, bob, social.PostInput{Source: "mine", Audience: model.AudienceSite}); err != nil {
			t.Fatalf("bob throttled by mia: %v", err)
		}
		clock.Advance(2 * time.Second)
		if _, err := svc.Posts.Create(ctx, mia, social.PostInput{Source: "later", Audience: model.AudienceSite}); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
	})
}

func TestReactionRateLimit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		clock := testrig.NewClock()
		deps := testrig.SocialDeps(t, store)
		deps.Now, deps.PostRate, deps.PostBurst = clock.Now, 30, 3
		svc := social.New(deps)
		ctx := t.Context()
		mia := testrig.CreateAccount(t, svc, "mia", model.RoleMember)
		bob := testrig.CreateAccount(t, svc, "bob", model.RoleMember)
		post, err := svc.Posts.Create(ctx, bob, social.PostInput{Source: "react to me", Audience: model.AudienceSite})
		if err != nil {
			t.Fatal(err)
		}
		// Adding and removing both count: toggling cannot flood the outbox.
		for i, on := range []bool{true, false, true} {
			if err := svc.Posts.React(ctx, mia, post.ID, model.ReactionLike, on); err != nil {
				t.Fatalf("reaction %d: %v", i, err)
			}
		}
		err = svc.Posts.React(ctx, mia, post.ID, model.ReactionLike, false)
		if !errors.Is(err, social.ErrRateLimited) || social.RetryAfter(err) > 2*time.Second {
			t.Fatalf("over the burst: %v (retry after %v)", err, social.RetryAfter(err))
		}
		n, err := store.DB().NewSelect().TableExpr("reactions").Where("account_id = ?", mia.ID).Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d reactions stored (%v), want the one left on", n, err)
		}
		// Reacting spent nothing of the posting budget, nor of another account's.
		for _, who := range []*model.Account{mia, mia, mia} {
			if _, err := svc.Posts.Create(ctx, who, social.PostInput{Source: "still posting", Audience: model.AudienceSite}); err != nil {
				t.Fatalf("posting after reacting: %v", err)
			}
		}
		if err := svc.Posts.React(ctx, bob, post.ID, model.ReactionLike, true); err != nil {
			t.Fatalf("bob throttled by mia: %v", err)
		}
		clock.Advance(2 * time.Second)
		if err := svc.Posts.React(ctx, mia, post.ID, model.ReactionLike, false); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
	})
}
