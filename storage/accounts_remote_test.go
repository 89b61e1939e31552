package storage_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/storage"
)

func TestRemoteAccountByHandle(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		local(t, s, "bob")
		remote := testrig.InsertRemoteAccount(t, s, "bob", "127.0.0.1:8082")
		testrig.InsertRemoteAccount(t, s, "bob", "127.0.0.1:8083")

		cases := []struct {
			name, username, domain string
			wantID                 string
		}{
			{"remote by handle", "bob", "127.0.0.1:8082", remote.ID},
			{"other port is another node", "bob", "127.0.0.1:9999", ""},
			{"unknown user", "carol", "127.0.0.1:8082", ""},
			{"local accounts are not remote", "bob", "", ""},
		}
		for _, tc := range cases {
			got, err := s.RemoteAccountByHandle(ctx, tc.username, tc.domain)
			if tc.wantID == "" {
				wantErr(t, err, storage.ErrNotFound)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got.ID != tc.wantID || got.Domain != tc.domain {
				t.Fatalf("%s: got %s@%s (%s)", tc.name, got.Username, got.Domain, got.ID)
			}
		}
	})
}

func TestFollowBetween(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		alice := local(t, s, "alice")
		carol := local(t, s, "carol")
		bob := testrig.InsertRemoteAccount(t, s, "bob", "127.0.0.1:8082")
		follow(t, s, alice, bob, false)
		follow(t, s, alice, carol, true)

		f, err := s.FollowBetween(ctx, alice.ID, bob.ID)
		if err != nil || f.Accepted {
			t.Fatalf("pending follow: %+v, %v", f, err)
		}
		if f, err = s.FollowBetween(ctx, alice.ID, carol.ID); err != nil || !f.Accepted {
			t.Fatalf("accepted follow: %+v, %v", f, err)
		}
		_, err = s.FollowBetween(ctx, carol.ID, alice.ID)
		wantErr(t, err, storage.ErrNotFound)
	})
}
