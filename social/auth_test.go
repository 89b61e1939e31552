package social_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func sessionID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func TestAuthLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		e.member("mia")
		gone := e.member("gone")
		if err := e.svc.Accounts.SetActive(e.ctx, root, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		testrig.InsertRemoteAccount(t, e.store, "remote", "127.0.0.1:8081")
		cases := []struct {
			name, username, password string
			err                      error
		}{
			{"ok", "mia", testrig.Password, nil},
			{"username case and spaces", "  MIA ", testrig.Password, nil},
			{"wrong password", "mia", testrig.Password + "!", social.ErrInvalidLogin},
			{"empty password", "mia", "", social.ErrInvalidLogin},
			{"password too long", "mia", strings.Repeat("x", 257), social.ErrInvalidLogin},
			{"unknown user", "nobody", testrig.Password, social.ErrInvalidLogin},
			{"username too long", strings.Repeat("m", 65), testrig.Password, social.ErrInvalidLogin},
			{"deactivated", "gone", testrig.Password, social.ErrInvalidLogin},
			{"remote account has no password", "remote", "", social.ErrInvalidLogin},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ip := "10.0.1." + string(rune('0'+i))
				secret, err := e.svc.Auth.Login(e.ctx, c.username, c.password, "test-agent", ip)
				if c.err != nil {
					wantErr(t, err, c.err)
					if secret != "" {
						t.Fatalf("secret %q returned with error", secret)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				sess, err := e.store.Session(e.ctx, sessionID(secret))
				if err != nil {
					t.Fatalf("session row: %v", err)
				}
				if sess.ID == secret || len(secret) != 43 || len(sess.CSRFToken) != 43 {
					t.Fatalf("secret %q, session id %q, csrf %q", secret, sess.ID, sess.CSRFToken)
				}
				if sess.UserAgent != "test-agent" || sess.IP != ip {
					t.Fatalf("user agent %q ip %q", sess.UserAgent, sess.IP)
				}
				if !sess.ExpiresAt.Equal(sess.CreatedAt.Add(30*24*time.Hour)) || !sess.LastSeenAt.Equal(sess.CreatedAt) {
					t.Fatalf("created %v last seen %v expires %v", sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt)
				}
			})
		}
		if n := e.count("sessions", "1 = 1"); n != 2 {
			t.Fatalf("sessions = %d, want 2", n)
		}
		// Long user agents and addresses are cut.
		secret, err := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, strings.Repeat("u", 400), strings.Repeat("9", 70))
		if err != nil {
			t.Fatal(err)
		}
		sess, err := e.store.Session(e.ctx, sessionID(secret))
		if err != nil || len(sess.UserAgent) != 300 || len(sess.IP) != 64 {
			t.Fatalf("session %+v, %v", sess, err)
		}
	})
}

func TestAuthRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("mia")
		e.member("bob")
		login := func(user, pw, ip string) error {
			_, err := e.svc.Auth.Login(e.ctx, user, pw, "ua", ip)
			return err
		}
		// Oversized input is refused before the limiter and costs no attempt.
		for i := 0; i < 15; i++ {
			wantErr(t, login(strings.Repeat("m", 65), testrig.Password, "10.0.0.1"), social.ErrInvalidLogin)
			wantErr(t, login("mia", strings.Repeat("p", 257), "10.0.0.1"), social.ErrInvalidLogin)
		}
		// Successful logins do not use up attempts: a whole office behind one address.
		for i := 0; i < 25; i++ {
			if err := login("mia", testrig.Password, "10.0.0.1"); err != nil {
				t.Fatalf("successful login %d: %v", i, err)
			}
		}
		for i := 0; i < 10; i++ {
			wantErr(t, login("mia", "wrong password", "10.0.0.1"), social.ErrInvalidLogin)
		}
		cases := []struct {
			name, user, pw, ip string
			err                error
		}{
			{"11th attempt, right password", "mia", testrig.Password, "10.0.0.1", social.ErrRateLimited},
			{"same user, other address", "mia", testrig.Password, "10.0.0.2", social.ErrRateLimited},
			{"same address, other user", "bob", testrig.Password, "10.0.0.1", social.ErrRateLimited},
			{"username case does not escape", "MIA", testrig.Password, "10.0.0.3", social.ErrRateLimited},
			{"other user, other address", "bob", testrig.Password, "10.0.0.2", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := login(c.user, c.pw, c.ip)
				if c.err == nil && err != nil {
					t.Fatal(err)
				}
				if c.err != nil {
					wantErr(t, err, c.err)
				}
			})
		}
		// One attempt comes back every 6 seconds.
		e.clock.Advance(6 * time.Second)
		wantErr(t, login("mia", "wrong again", "10.0.0.4"), social.ErrInvalidLogin)
		wantErr(t, login("mia", testrig.Password, "10.0.0.4"), social.ErrRateLimited)
		e.clock.Advance(6 * time.Second)
		if err := login("mia", testrig.Password, "10.0.0.4"); err != nil {
			t.Fatalf("after waiting: %v", err)
		}
		// The success gave its attempt back: the next one is allowed too.
		if err := login("mia", testrig.Password, "10.0.0.5"); err != nil {
			t.Fatalf("after a success: %v", err)
		}
		// A minute later the buckets are full again.
		e.clock.Advance(time.Minute)
		for i := 0; i < 10; i++ {
			wantErr(t, login("mia", "wrong", "10.0.0.6"), social.ErrInvalidLogin)
		}
		wantErr(t, login("mia", "wrong", "10.0.0.6"), social.ErrRateLimited)
	})
}

func TestAuthSession(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		secret, err := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		sess, acct, err := e.svc.Auth.Session(e.ctx, secret)
		if err != nil || acct.ID != mia.ID || sess.AccountID != mia.ID || sess.ID != sessionID(secret) {
			t.Fatalf("session %+v account %+v, %v", sess, acct, err)
		}
		created := sess.CreatedAt
		for _, bad := range []string{"", "nope", sessionID(secret), strings.Repeat("a", 101), secret + "x"} {
			_, _, err := e.svc.Auth.Session(e.ctx, bad)
			wantErr(t, err, social.ErrNotFound)
		}

		// Within a minute the session is not written to.
		e.clock.Advance(30 * time.Second)
		sess, _, err = e.svc.Auth.Session(e.ctx, secret)
		if err != nil || !sess.LastSeenAt.Equal(created) || !sess.ExpiresAt.Equal(created.Add(30*24*time.Hour)) {
			t.Fatalf("after 30s: %+v, %v", sess, err)
		}
		// After it, use slides the expiry forward.
		e.clock.Advance(time.Minute)
		seen := e.clock.Peek().Add(time.Millisecond)
		sess, _, err = e.svc.Auth.Session(e.ctx, secret)
		if err != nil || !sess.LastSeenAt.Equal(seen) || !sess.ExpiresAt.Equal(seen.Add(30*24*time.Hour)) {
			t.Fatalf("after 90s: %+v, want last seen %v, %v", sess, seen, err)
		}
		stored, err := e.store.Session(e.ctx, sess.ID)
		if err != nil || !stored.LastSeenAt.Equal(seen) || !stored.ExpiresAt.Equal(seen.Add(30*24*time.Hour)) {
			t.Fatalf("stored %+v, %v", stored, err)
		}

		// At its expiry instant the session still works, a millisecond later it is gone.
		expires := stored.ExpiresAt
		e.clock.NextNowAt(expires)
		if _, _, err := e.svc.Auth.Session(e.ctx, secret); err != nil {
			t.Fatalf("at expiry: %v", err)
		}
		// That use slid it again; let it lapse fully this time.
		e.clock.NextNowAt(expires.Add(30*24*time.Hour + time.Millisecond))
		_, _, err = e.svc.Auth.Session(e.ctx, secret)
		wantErr(t, err, social.ErrNotFound)
		if n := e.count("sessions", "id = ?", sess.ID); n != 0 {
			t.Fatalf("expired session left in the table")
		}
	})
}

func TestAuthLogout(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("mia")
		one, _ := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		two, _ := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		if err := e.svc.Auth.Logout(e.ctx, one); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Auth.Session(e.ctx, one)
		wantErr(t, err, social.ErrNotFound)
		if _, _, err := e.svc.Auth.Session(e.ctx, two); err != nil {
			t.Fatalf("other session ended too: %v", err)
		}
		for _, s := range []string{"", one, "unknown"} {
			if err := e.svc.Auth.Logout(e.ctx, s); err != nil {
				t.Fatalf("logout %q: %v", s, err)
			}
		}
		if n := e.count("sessions", "1 = 1"); n != 1 {
			t.Fatalf("sessions = %d, want 1", n)
		}
	})
}

func TestAuthChangePassword(t *testing.T) {
	const newPW = "a much newer password"
	cases := []struct {
		name, old, new string
		want           map[string]string
	}{
		{"wrong old", "wrong", newPW, fields("old_password", "error.password.wrong")},
		{"new too short", testrig.Password, "short", fields("new_password", "error.password.short")},
		{"new too long", testrig.Password, strings.Repeat("x", 257), fields("new_password", "error.password.long")},
		{"both", "", "", fields("old_password", "error.password.wrong", "new_password", "error.password.short")},
		{"ok", testrig.Password, newPW, nil},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				name := strings.ReplaceAll(c.name, " ", "_")
				a := testrig.CreateAccount(t, e.svc, name, model.RoleMember)
				hash := a.PasswordHash
				here, _ := e.svc.Auth.Login(e.ctx, name, testrig.Password, "ua", "10.1.0.2")
				elsewhere, _ := e.svc.Auth.Login(e.ctx, name, testrig.Password, "ua", "10.1.0.3")
				err := e.svc.Auth.ChangePassword(e.ctx, a, sessionID(here), c.old, c.new)
				wantFields(t, err, c.want)
				_, _, hereErr := e.svc.Auth.Session(e.ctx, here)
				_, _, elsewhereErr := e.svc.Auth.Session(e.ctx, elsewhere)
				if hereErr != nil {
					t.Fatalf("the session the change was made from ended: %v", hereErr)
				}
				if c.want != nil && elsewhereErr != nil {
					t.Fatalf("a refused change ended another session: %v", elsewhereErr)
				}
				if c.want == nil && elsewhereErr == nil {
					t.Fatal("the other session survived a password change")
				}
				stored := e.reload(a)
				_, oldErr := e.svc.Auth.Login(e.ctx, name, testrig.Password, "ua", "10.1.0.1")
				_, newErr := e.svc.Auth.Login(e.ctx, name, c.new, "ua", "10.1.0.1")
				if c.want != nil {
					if stored.PasswordHash != hash || oldErr != nil {
						t.Fatalf("refused change altered the password: login with old: %v", oldErr)
					}
					return
				}
				if stored.PasswordHash == hash || a.PasswordHash != stored.PasswordHash {
					t.Fatal("hash not replaced")
				}
				wantErr(t, oldErr, social.ErrInvalidLogin)
				if newErr != nil {
					t.Fatalf("login with new password: %v", newErr)
				}
			})
		}
	})
}

func TestDeleteExpiredSessions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("mia")
		early, _ := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		e.clock.Advance(time.Hour)
		late, _ := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		earlySess, _ := e.store.Session(e.ctx, sessionID(early))
		lateSess, _ := e.store.Session(e.ctx, sessionID(late))
		cases := []struct {
			name    string
			now     time.Time
			deleted int64
			left    int
		}{
			{"before any expiry", earlySess.ExpiresAt.Add(-time.Second), 0, 2},
			{"at the expiry instant", earlySess.ExpiresAt, 0, 2},
			{"just after", earlySess.ExpiresAt.Add(time.Microsecond), 1, 1},
			{"again", earlySess.ExpiresAt.Add(time.Microsecond), 0, 1},
			{"after the later one", lateSess.ExpiresAt.Add(time.Millisecond), 1, 0},
		}
		for _, c := range cases {
			n, err := e.store.DeleteExpiredSessions(e.ctx, c.now)
			if err != nil || n != c.deleted {
				t.Fatalf("%s: deleted %d, %v; want %d", c.name, n, err, c.deleted)
			}
			if left := e.count("sessions", "1 = 1"); left != c.left {
				t.Fatalf("%s: %d sessions left, want %d", c.name, left, c.left)
			}
		}
	})
}
