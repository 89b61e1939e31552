package storage_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// remote stores an account of another node.
func remote(t *testing.T, s *storage.Store, username, domain string) *model.Account {
	t.Helper()
	a := &model.Account{ID: newID(t0), Username: username, Domain: domain, URI: "http://" + domain + "/users/" + username,
		Role: model.RoleMember, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatalf("create %s@%s: %v", username, domain, err)
	}
	return a
}

func TestOutboxRefs(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		r1 := remote(t, s, "r1", "127.0.0.1:8082")
		r2 := remote(t, s, "r2", "127.0.0.1:8083")
		pending := remote(t, s, "pending", "127.0.0.1:8084")
		follow(t, s, r1, mia, true)
		follow(t, s, r2, mia, true)
		follow(t, s, pending, mia, false)
		follow(t, s, bob, mia, true) // local followers are not remote followers
		follow(t, s, r1, bob, true)

		got, err := s.RemoteFollowers(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, a := range got {
			names = append(names, a.Username)
		}
		if !reflect.DeepEqual(names, []string{"r1", "r2"}) && !reflect.DeepEqual(names, []string{"r2", "r1"}) {
			t.Fatalf("remote followers %v, want r1 and r2", names)
		}

		p := &model.Post{ID: newID(t0), URI: "http://127.0.0.1:8080/posts/x", AccountID: mia.ID, Audience: model.AudienceCompany,
			Source: "s", HTML: "h", Local: true, CreatedAt: t0, UpdatedAt: t0}
		if err := s.InTx(ctx, func(tx *storage.Store) error {
			return tx.CreatePost(ctx, p, []string{bob.ID, r1.ID}, []string{"plant", "go"})
		}); err != nil {
			t.Fatal(err)
		}
		mentioned, err := s.MentionedAccounts(ctx, p.ID)
		if err != nil || len(mentioned) != 2 {
			t.Fatalf("mentioned %d, %v", len(mentioned), err)
		}
		tags, err := s.TagsOfPost(ctx, p.ID)
		if err != nil || !reflect.DeepEqual(tags, []string{"go", "plant"}) {
			t.Fatalf("tags %v, %v", tags, err)
		}

		r := &model.Reaction{PostID: p.ID, AccountID: bob.ID, Kind: "like", URI: "http://127.0.0.1:8080/reactions/1", CreatedAt: t0}
		if err := s.AddReaction(ctx, r); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ReactionBy(ctx, p.ID, bob.ID, "like"); err != nil || got.URI != r.URI {
			t.Fatalf("reaction %+v, %v", got, err)
		}
		if _, err := s.ReactionBy(ctx, p.ID, bob.ID, "love"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing reaction: %v", err)
		}
	})
}
