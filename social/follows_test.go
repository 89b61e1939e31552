package social_test

import (
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestFollows(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		bob := e.member("bob")
		gone := e.member("gone")
		if err := e.svc.Accounts.SetActive(e.ctx, root, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		remote := e.insertRemote("rem")
		state := func(follower, followee *model.Account) (rows int, following bool) {
			t.Helper()
			ok, err := e.store.IsFollowing(e.ctx, follower.ID, followee.ID)
			if err != nil {
				t.Fatal(err)
			}
			return e.count("follows", "follower_id = ? AND followee_id = ?", follower.ID, followee.ID), ok
		}

		cases := []struct {
			name      string
			followee  string
			wantErr   error
			wantField map[string]string
		}{
			{"self", mia.ID, nil, fields("account", "error.follow.self")},
			{"unknown", "01NOSUCHACCOUNT00000000000", social.ErrNotFound, nil},
			{"deactivated", gone.ID, social.ErrNotFound, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := e.svc.Follows.Follow(e.ctx, mia, c.followee)
				if c.wantField != nil {
					wantFields(t, err, c.wantField)
				} else {
					wantErr(t, err, c.wantErr)
				}
			})
		}
		if n := e.count("follows", "1 = 1"); n != 0 {
			t.Fatalf("refused follows left %d rows", n)
		}

		// Follow is idempotent.
		for i := 0; i < 2; i++ {
			if err := e.svc.Follows.Follow(e.ctx, mia, bob.ID); err != nil {
				t.Fatal(err)
			}
			if rows, ok := state(mia, bob); rows != 1 || !ok {
				t.Fatalf("after follow %d: rows %d following %v", i+1, rows, ok)
			}
		}
		var f model.Follow
		if err := e.store.DB().NewSelect().Model(&f).Where("follower_id = ?", mia.ID).Scan(e.ctx); err != nil {
			t.Fatal(err)
		}
		if !f.Accepted || f.URI[:len("http://127.0.0.1:8080/users/mia/follows/")] != "http://127.0.0.1:8080/users/mia/follows/" {
			t.Fatalf("follow row %+v", f)
		}
		if rows, ok := state(bob, mia); rows != 0 || ok {
			t.Fatal("follow is not one-way")
		}
		c, err := e.store.CountsOfAccount(e.ctx, bob.ID)
		if err != nil || c.Followers != 1 || c.Following != 0 {
			t.Fatalf("bob counts %d %d %v", c.Followers, c.Following, err)
		}

		// A remote follow waits for the other node: stored, not accepted.
		if err := e.svc.Follows.Follow(e.ctx, mia, remote.ID); err != nil {
			t.Fatal(err)
		}
		if rows, ok := state(mia, remote); rows != 1 || ok {
			t.Fatalf("remote follow: rows %d accepted %v", rows, ok)
		}
		c, _ = e.store.CountsOfAccount(e.ctx, mia.ID)
		if c.Followers != 0 || c.Following != 1 {
			t.Fatalf("mia counts %d %d: pending follows must not count", c.Followers, c.Following)
		}

		// Unfollow is idempotent too.
		for i := 0; i < 2; i++ {
			if err := e.svc.Follows.Unfollow(e.ctx, mia, bob.ID); err != nil {
				t.Fatal(err)
			}
			if rows, ok := state(mia, bob); rows != 0 || ok {
				t.Fatalf("after unfollow %d: rows %d following %v", i+1, rows, ok)
			}
		}
		wantErr(t, e.svc.Follows.Unfollow(e.ctx, mia, "01NOSUCHACCOUNT00000000000"), social.ErrNotFound)
		if err := e.svc.Follows.Unfollow(e.ctx, mia, remote.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.count("follows", "1 = 1"); n != 0 {
			t.Fatalf("%d follows left", n)
		}
	})
}
