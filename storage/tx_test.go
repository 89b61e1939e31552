package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// TestInTxRollsBack checks that a failing step leaves nothing of a multi-row change.
func TestInTxRollsBack(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		boom := errors.New("boom")
		newPost := func() *model.Post {
			id := newID(t0)
			return &model.Post{ID: id, URI: "http://127.0.0.1:8080/posts/" + id, AccountID: mia.ID,
				Audience: model.AudienceSite, Source: "x", HTML: "x", Local: true, CreatedAt: t0, UpdatedAt: t0}
		}
		cases := []struct {
			name string
			fn   func(tx *storage.Store, p *model.Post) error
		}{
			{"mention of an unknown account fails the insert", func(tx *storage.Store, p *model.Post) error {
				return tx.CreatePost(ctx, p, []string{bob.ID, "01NOSUCHACCOUNT00000000000"}, []string{"go"})
			}},
			{"a later step fails", func(tx *storage.Store, p *model.Post) error {
				if err := tx.CreatePost(ctx, p, []string{bob.ID}, []string{"go"}); err != nil {
					return err
				}
				return boom
			}},
			{"nested transaction fails", func(tx *storage.Store, p *model.Post) error {
				if err := tx.CreatePost(ctx, p, []string{bob.ID}, []string{"go"}); err != nil {
					return err
				}
				return tx.InTx(ctx, func(inner *storage.Store) error {
					if err := inner.DeactivateAccount(ctx, bob.ID, t0); err != nil {
						return err
					}
					return boom
				})
			}},
			{"duplicate post id", func(tx *storage.Store, p *model.Post) error {
				if err := tx.CreatePost(ctx, p, []string{bob.ID}, []string{"go"}); err != nil {
					return err
				}
				again := *p
				again.URI += "/again"
				return tx.CreatePost(ctx, &again, nil, nil)
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := newPost()
				if err := s.InTx(ctx, func(tx *storage.Store) error { return c.fn(tx, p) }); err == nil {
					t.Fatal("transaction did not fail")
				}
				_, err := s.Post(ctx, p.ID)
				wantErr(t, err, storage.ErrNotFound)
				for _, table := range []string{"posts", "mentions", "post_tags"} {
					if n := count(t, s, table, "1 = 1"); n != 0 {
						t.Fatalf("%s has %d rows after rollback", table, n)
					}
				}
				if b, _ := s.Account(ctx, bob.ID); !b.Active() {
					t.Fatal("deactivation survived the rollback")
				}
			})
		}
		// The same change commits whole when nothing fails.
		p := newPost()
		err := s.InTx(ctx, func(tx *storage.Store) error { return tx.CreatePost(ctx, p, []string{bob.ID}, []string{"go", "sql"}) })
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "mentions", "post_id = ?", p.ID) + count(t, s, "post_tags", "post_id = ?", p.ID); n != 3 {
			t.Fatalf("committed %d mention and tag rows, want 3", n)
		}
		// The error comes back as returned.
		if err := s.InTx(ctx, func(*storage.Store) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v", err)
		}
	})
}

func TestDeactivateAccountIsAtomic(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		for _, a := range []*model.Account{mia, bob} {
			if err := s.CreateSession(ctx, &model.Session{ID: "sess-" + a.Username, AccountID: a.ID, CSRFToken: "c",
				CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.AddDate(0, 1, 0)}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateToken(ctx, &model.Token{ID: newID(t0), AccountID: a.ID, Name: "t", Hash: "hash-" + a.Username, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		at := t0.Add(time.Hour)
		if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.DeactivateAccount(ctx, mia.ID, at) }); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Account(ctx, mia.ID)
		if got.DeactivatedAt == nil || !got.DeactivatedAt.Equal(at) || !got.UpdatedAt.Equal(at) {
			t.Fatalf("deactivated %v updated %v", got.DeactivatedAt, got.UpdatedAt)
		}
		if n := count(t, s, "sessions", "account_id = ?", mia.ID); n != 0 {
			t.Fatalf("%d sessions left", n)
		}
		_, err := s.TokenByHash(ctx, "hash-mia")
		wantErr(t, err, storage.ErrNotFound)
		// Bob is untouched.
		if _, err := s.Session(ctx, "sess-bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenByHash(ctx, "hash-bob"); err != nil {
			t.Fatal(err)
		}
		if b, _ := s.Account(ctx, bob.ID); !b.Active() {
			t.Fatal("bob deactivated")
		}
	})
}

// TestAfterCommit checks that commit hooks run only after a successful commit.
func TestAfterCommit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		var ran []string
		_ = s.InTx(ctx, func(tx *storage.Store) error {
			tx.AfterCommit(func() { ran = append(ran, "committed") })
			return tx.InTx(ctx, func(inner *storage.Store) error {
				inner.AfterCommit(func() { ran = append(ran, "nested") })
				return nil
			})
		})
		_ = s.InTx(ctx, func(tx *storage.Store) error {
			tx.AfterCommit(func() { ran = append(ran, "rolled back") })
			return errors.New("boom")
		})
		s.AfterCommit(func() { ran = append(ran, "no transaction") })
		want := []string{"committed", "nested", "no transaction"}
		if len(ran) != len(want) {
			t.Fatalf("hooks ran: %v, want %v", ran, want)
		}
		for i := range want {
			if ran[i] != want[i] {
				t.Fatalf("hooks ran: %v, want %v", ran, want)
			}
		}
	})
}
