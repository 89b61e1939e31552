package social_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestCreateWithIdempotencyKey(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		create := func(who *model.Account, source, key string) *model.Post {
			t.Helper()
			p, err := e.svc.Posts.Create(e.ctx, who, social.PostInput{Source: source, Audience: model.AudienceCompany, IdempotencyKey: key})
			if err != nil {
				t.Fatalf("create %q with key %q: %v", source, key, err)
			}
			return p
		}
		posts := func(who *model.Account) int {
			t.Helper()
			c, err := e.store.CountsOfAccount(e.ctx, who.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c.Posts
		}

		first := create(mia, "hello", "k1")
		if again := create(mia, "hello, edited meanwhile", "k1"); again.ID != first.ID || again.Source != "hello" {
			t.Fatalf("repeat made %s %q, want %s", again.ID, again.Source, first.ID)
		}
		if other := create(mia, "hello", "k2"); other.ID == first.ID {
			t.Fatal("another key gave the same post")
		}
		if theirs := create(bob, "hello", "k1"); theirs.ID == first.ID {
			t.Fatal("a key is per account")
		}
		if none := create(mia, "hello", ""); none.ID == first.ID {
			t.Fatal("no key repeated a post")
		}
		if n := posts(mia); n != 3 {
			t.Fatalf("mia has %d posts, want 3", n)
		}

		// Concurrent requests with one key make one post.
		var wg sync.WaitGroup
		ids := make([]string, 6)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := e.svc.Posts.Create(e.ctx, mia, social.PostInput{Source: "once", Audience: model.AudienceCompany, IdempotencyKey: "k3"})
				if err != nil {
					t.Errorf("concurrent create: %v", err)
					return
				}
				ids[i] = p.ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("concurrent requests made %v", ids)
			}
		}
		if n := posts(mia); n != 4 {
			t.Fatalf("mia has %d posts after the concurrent ones, want 4", n)
		}

		// A deleted post frees its key; after an hour a key is forgotten.
		if err := e.svc.Posts.Delete(e.ctx, mia, first.ID); err != nil {
			t.Fatal(err)
		}
		again := create(mia, "hello", "k1")
		if again.ID == first.ID {
			t.Fatal("the deleted post came back")
		}
		e.clock.Advance(time.Hour + time.Second)
		if later := create(mia, "hello", "k1"); later.ID == again.ID {
			t.Fatal("a key older than an hour repeated its post")
		}
		if n := e.count("idempotency_keys", "account_id = ?", mia.ID); n != 1 {
			t.Fatalf("mia keeps %d keys, want 1 (older ones are dropped)", n)
		}

		for _, bad := range []string{strings.Repeat("k", 256), "schlüssel", "a\tb"} {
			_, err := e.svc.Posts.Create(e.ctx, mia, social.PostInput{Source: "x", Audience: model.AudienceCompany, IdempotencyKey: bad})
			if v, ok := social.AsValidation(err); !ok || v.Fields["idempotency_key"] == "" {
				t.Errorf("key %q: %v", bad, err)
			}
		}
	})
}
