package storage_test

import (
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// TestAllowedPeerSeesOwnChanges checks that the allowlist cache never hides a change made
// through the same Store: removals and trust changes count from their commit.
func TestAllowedPeerSeesOwnChanges(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		origin := "http://127.0.0.1:8082"
		save := func(trust model.Trust) {
			t.Helper()
			if err := s.SavePeer(ctx, &model.Peer{Origin: origin, Trust: trust, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		trustOf := func() model.Trust {
			t.Helper()
			p, err := s.AllowedPeer(ctx, origin)
			if errors.Is(err, storage.ErrNotFound) {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			return p.Trust
		}
		if got := trustOf(); got != "" {
			t.Fatalf("unknown peer: %q", got)
		}
		save(model.TrustSibling)
		if got := trustOf(); got != model.TrustSibling {
			t.Fatalf("added peer: %q", got)
		}
		save(model.TrustPartner)
		if got := trustOf(); got != model.TrustPartner {
			t.Fatalf("after a trust change: %q", got)
		}
		// A removal rolled back changes nothing; committed, it counts at once.
		rollback := errors.New("rollback")
		err := s.InTx(ctx, func(tx *storage.Store) error {
			if err := tx.DeletePeer(ctx, origin, t0); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) || trustOf() != model.TrustPartner {
			t.Fatalf("after a rolled back removal: %v, %q", err, trustOf())
		}
		if err := s.DeletePeer(ctx, origin, t0); err != nil {
			t.Fatal(err)
		}
		if got := trustOf(); got != "" {
			t.Fatalf("removed peer still allowed: %q", got)
		}
	})
}

// TestCachedRemoteAccountSeesOwnChanges checks that the remote account cache never hides
// a refresh, a deactivation or an update made through the same Store.
func TestCachedRemoteAccountSeesOwnChanges(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		uri := "http://127.0.0.1:8081/users/bob"
		if err := s.UpsertRemoteAccount(ctx, remoteActor(uri, "bob")); err != nil {
			t.Fatal(err)
		}
		get := func() *model.Account {
			t.Helper()
			a, err := s.CachedRemoteAccount(ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		if a := get(); a.PublicKeyPEM != "old" {
			t.Fatalf("key: %q", a.PublicKeyPEM)
		}
		rotated := remoteActor(uri, "bob")
		rotated.PublicKeyPEM = "new"
		if err := s.UpsertRemoteAccount(ctx, rotated); err != nil {
			t.Fatal(err)
		}
		a := get()
		if a.PublicKeyPEM != "new" {
			t.Fatalf("key after a refresh: %q", a.PublicKeyPEM)
		}
		a.Role = model.RoleGuest
		if err := s.UpdateAccount(ctx, a, "role"); err != nil {
			t.Fatal(err)
		}
		if got := get().Role; got != model.RoleGuest {
			t.Fatalf("role after an update: %q", got)
		}
		if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.DeactivateAccount(ctx, a.ID, t0) }); err != nil {
			t.Fatal(err)
		}
		if get().Active() {
			t.Fatal("deactivated account still active")
		}
		alice := local(t, s, "alice")
		if _, err := s.CachedRemoteAccount(ctx, alice.URI); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("local account: %v, want ErrNotFound", err)
		}
	})
}
