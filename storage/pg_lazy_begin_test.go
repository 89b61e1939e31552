package storage_test

import (
	"errors"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// TestLazyBegin runs transactions through storage.Open's PostgreSQL connections, whose
// BEGIN travels with the first statement: that statement is inside the transaction, a
// transaction without statements is harmless, and a failed first statement leaves a
// connection the pool can use again.
func TestLazyBegin(t *testing.T) {
	db, err := storage.Open(testrig.DatabaseURL(t, "postgres"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// One connection, so every case reuses the connection of the one before.
	db.SetMaxOpenConns(1)
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	s := storage.New(db)
	peer := func(origin string) *model.Peer {
		return &model.Peer{Origin: origin, Trust: model.TrustSibling, CreatedAt: t0, UpdatedAt: t0}
	}
	exists := func(origin string) bool {
		t.Helper()
		_, err := s.Peer(ctx, origin)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	boom := errors.New("boom")
	if err := s.SavePeer(ctx, peer("http://127.0.0.1:1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fn      func(tx *storage.Store) error
		wantErr bool
		origin  string
		stored  bool
	}{
		{"empty commit", func(*storage.Store) error { return nil }, false, "", false},
		{"empty rollback", func(*storage.Store) error { return boom }, true, "", false},
		{"first statement committed", func(tx *storage.Store) error {
			return tx.SavePeer(ctx, peer("http://127.0.0.1:2"))
		}, false, "http://127.0.0.1:2", true},
		{"first statement rolled back", func(tx *storage.Store) error {
			if err := tx.SavePeer(ctx, peer("http://127.0.0.1:3")); err != nil {
				return err
			}
			return boom
		}, true, "http://127.0.0.1:3", false},
		{"first statement fails", func(tx *storage.Store) error {
			return tx.CreateAccount(ctx, &model.Account{ID: "x", Username: "x", URI: "x", ManagerID: new(string)})
		}, true, "", false},
		{"statement after a failure rolled back", func(tx *storage.Store) error {
			if _, err := tx.MarkProcessed(ctx, "http://127.0.0.1:4/a", t0); err != nil {
				return err
			}
			if err := tx.SavePeer(ctx, peer("http://127.0.0.1:4")); err != nil {
				return err
			}
			return tx.CreateAccount(ctx, &model.Account{ID: "y", Username: "y", URI: "y", ManagerID: new(string)})
		}, true, "http://127.0.0.1:4", false},
	}
	for _, tt := range tests {
		err := s.InTx(ctx, tt.fn)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.wantErr)
		}
		if tt.origin != "" && exists(tt.origin) != tt.stored {
			t.Errorf("%s: peer %s stored %v, want %v", tt.name, tt.origin, !tt.stored, tt.stored)
		}
		// The connection works after each case, outside a transaction.
		if !exists("http://127.0.0.1:1") {
			t.Fatalf("%s: the connection lost committed data", tt.name)
		}
	}
	// The processed mark of the failed transaction was rolled back with it.
	if fresh, err := s.MarkProcessed(ctx, "http://127.0.0.1:4/a", t0); err != nil || !fresh {
		t.Errorf("mark of a rolled back transaction: fresh %v, %v", fresh, err)
	}
}
