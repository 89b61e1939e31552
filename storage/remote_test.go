package storage_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func remoteActor(uri, username string) *model.Account {
	return &model.Account{ID: newID(t0), Username: username, Domain: "127.0.0.1:8081", URI: uri,
		InboxURI: uri + "/inbox", SharedInboxURI: "http://127.0.0.1:8081/inbox", FollowersURI: uri + "/followers",
		Role: model.RoleMember, DisplayName: "Old", PublicKeyPEM: "old", FetchedAt: &t0, CreatedAt: t0, UpdatedAt: t0}
}

func TestUpsertRemoteAccount(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		uri := "http://127.0.0.1:8081/users/bob"
		a := remoteActor(uri, "bob")
		firstID := a.ID
		if err := s.UpsertRemoteAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID != firstID {
			t.Fatalf("insert changed id to %s", a.ID)
		}
		b := remoteActor(uri, "bob")
		b.DisplayName, b.PublicKeyPEM, b.Role = "New", "new", model.RoleGuest
		if err := s.UpsertRemoteAccount(ctx, b); err != nil {
			t.Fatal(err)
		}
		if b.ID != firstID {
			t.Fatalf("update returned id %s, want %s", b.ID, firstID)
		}
		got, err := s.AccountByKeyID(ctx, uri+"#main-key")
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "New" || got.PublicKeyPEM != "new" || got.Role != model.RoleGuest {
			t.Errorf("not updated: %+v", got)
		}

		// A local account is never overwritten, whatever a remote document claims.
		alice := local(t, s, "alice")
		forged := remoteActor(alice.URI, "alice")
		wantErr(t, s.UpsertRemoteAccount(ctx, forged), storage.ErrConflict)
		wantErr(t, s.UpsertRemoteAccount(ctx, &model.Account{URI: "http://x/users/y"}), storage.ErrConflict)
		// Another actor with bob's username on bob's node is a conflict, not a race to retry.
		impostor := remoteActor("http://127.0.0.1:8081/people/bob", "bob")
		wantErr(t, s.UpsertRemoteAccount(ctx, impostor), storage.ErrConflict)
		again, err := s.AccountByURI(ctx, alice.URI)
		if err != nil {
			t.Fatal(err)
		}
		if again.Domain != "" || again.DisplayName != "alice" {
			t.Errorf("local account changed: %+v", again)
		}
		if n := count(t, s, "accounts", "uri = ?", alice.URI); n != 1 {
			t.Errorf("%d rows for alice", n)
		}
		m, err := s.AccountsByURIs(ctx, []string{uri, alice.URI, "http://nowhere/x"})
		if err != nil || len(m) != 2 {
			t.Errorf("AccountsByURIs = %v, %v", m, err)
		}
	})
}

func TestMarkProcessed(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		const id = "http://127.0.0.1:8081/activities/1"
		var wg sync.WaitGroup
		results := make([]bool, 4)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				err := s.InTx(ctx, func(tx *storage.Store) error {
					var err error
					results[i], err = tx.MarkProcessed(ctx, id, t0)
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		fresh := 0
		for _, r := range results {
			if r {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d callers saw the activity as new, want 1", fresh)
		}
		// Rolled back: the mark goes with the effect.
		const other = "http://127.0.0.1:8081/activities/2"
		_ = s.InTx(ctx, func(tx *storage.Store) error {
			_, _ = tx.MarkProcessed(ctx, other, t0)
			return storage.ErrConflict
		})
		if ok, err := s.MarkProcessed(ctx, other, t0); err != nil || !ok {
			t.Errorf("after rollback: new=%v err=%v", ok, err)
		}
	})
}

func TestNodeKey(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		_, err := s.NodeKey(ctx)
		wantErr(t, err, storage.ErrNotFound)
		var wg sync.WaitGroup
		got := make([]string, 4)
		for i := range got {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				k, err := s.EnsureNodeKey(ctx, &model.NodeKey{PublicKeyPEM: "pub" + string(rune('a'+i)),
					PrivateKeyPEM: "priv", CreatedAt: t0})
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = k.PublicKeyPEM
			}(i)
		}
		wg.Wait()
		for _, g := range got[1:] {
			if g != got[0] {
				t.Fatalf("callers got different keys: %v", got)
			}
		}
	})
}

func TestFollowsAndReactionsByURI(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		alice := local(t, s, "alice")
		carol := local(t, s, "carol")
		bob := remoteActor("http://127.0.0.1:8081/users/bob", "bob")
		if err := s.UpsertRemoteAccount(ctx, bob); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.HasLocalFollower(ctx, bob.ID); ok {
			t.Error("follower before any follow")
		}
		f := &model.Follow{FollowerID: alice.ID, FolloweeID: bob.ID, URI: alice.URI + "/follows/1", CreatedAt: t0}
		if err := s.SaveFollow(ctx, f); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.HasLocalFollower(ctx, bob.ID); ok {
			t.Error("pending follow counts as follower")
		}
		if err := s.AcceptFollow(ctx, alice.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.HasLocalFollower(ctx, bob.ID); !ok {
			t.Error("accepted follow not seen")
		}
		// bob follows carol: a follower on bob's node.
		if err := s.SaveFollow(ctx, &model.Follow{FollowerID: bob.ID, FolloweeID: carol.ID, URI: bob.URI + "#f1", Accepted: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveFollow(ctx, &model.Follow{FollowerID: bob.ID, FolloweeID: carol.ID, URI: bob.URI + "#f2", Accepted: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FollowByURI(ctx, bob.URI+"#f1"); err == nil {
			t.Error("old follow URI still found")
		}
		if ok, _ := s.HasFollowerOnDomain(ctx, carol.ID, "127.0.0.1:8081"); !ok {
			t.Error("follower on bob's node not seen")
		}
		if ok, _ := s.HasFollowerOnDomain(ctx, carol.ID, "127.0.0.1:8082"); ok {
			t.Error("follower on another node seen")
		}
		if ok, _ := s.HasLocalFollower(ctx, carol.ID); ok {
			t.Error("remote follower counted as local")
		}
		got, err := s.FollowByURI(ctx, f.URI)
		if err != nil || got.FolloweeID != bob.ID || !got.Accepted {
			t.Fatalf("FollowByURI = %+v, %v", got, err)
		}
		if ok, err := s.DeleteFollowByURI(ctx, f.URI); err != nil || !ok {
			t.Fatalf("delete: %v %v", ok, err)
		}
		if ok, _ := s.DeleteFollowByURI(ctx, f.URI); ok {
			t.Error("deleted twice")
		}

		p := post(t, s, alice, model.AudienceCompany, t0, nil, "x")
		if got, err := s.PostByURI(ctx, p.URI); err != nil || got.ID != p.ID {
			t.Fatalf("PostByURI = %+v, %v", got, err)
		}
		r := &model.Reaction{PostID: p.ID, AccountID: bob.ID, Kind: model.ReactionLike, URI: bob.URI + "#like1", CreatedAt: t0}
		if err := s.SaveReaction(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.URI = bob.URI + "#like2"
		if err := s.SaveReaction(ctx, r); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ReactionByURI(ctx, bob.URI+"#like2"); err != nil || got.AccountID != bob.ID {
			t.Fatalf("ReactionByURI = %+v, %v", got, err)
		}
		u, err := s.NodeUsage(ctx)
		if err != nil || u.Users != 2 || u.Posts != 1 || u.Comments != 0 {
			t.Errorf("usage = %+v, %v", u, err)
		}
	})
}

// Inbox requests of a node seen for the first time store its actor concurrently: every
// one of them gets the one stored row, none an error.
func TestUpsertRemoteAccountConcurrently(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		uri := "http://127.0.0.1:8081/users/dana"
		ids := make([]string, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for round := 0; round < 60; round++ {
			uri := fmt.Sprintf("%s%d", uri, round)
			start := make(chan struct{})
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := remoteActor(uri, fmt.Sprintf("dana%d", round))
					<-start
					errs[i] = s.UpsertRemoteAccount(ctx, a)
					ids[i] = a.ID
				}()
			}
			close(start)
			wg.Wait()
			for i := range ids {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Fatalf("round %d: upsert %d: id %s (first %s), %v", round, i, ids[i], ids[0], errs[i])
				}
			}
			if n := count(t, s, "accounts", "uri = ?", uri); n != 1 {
				t.Fatalf("round %d: %d rows", round, n)
			}
		}
	})
}
