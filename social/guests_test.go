package social_test

import (
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestGuestExpiry(t *testing.T) {
	eachEnvStore(t, func(t *testing.T, e *env, box *recordingOutbox) {
		ann, bob := e.admin("ann"), e.member("bob")
		g := e.group(ann, "team", model.GroupOpen)
		inv, err := e.svc.Invitations.Invite(e.ctx, ann, social.InvitationInput{Email: "carol@partner.example", GroupIDs: []string{g.ID}, GuestDays: 10})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.accept(tokenOf(inv), "carol")
		if err != nil {
			t.Fatal(err)
		}
		carol := got.Account
		secret, err := e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7")
		if err != nil {
			t.Fatal(err)
		}
		plain, _, err := e.svc.Tokens.Create(e.ctx, carol.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}

		// Ten days on, the account has ended by itself: no login, session or token.
		e.clock.Advance(10*24*time.Hour + time.Second)
		_, err = e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7")
		wantErr(t, err, social.ErrAccountExpired)
		_, err = e.svc.Auth.Login(e.ctx, "carol", "wrong password!", "test", "192.0.2.7")
		wantErr(t, err, social.ErrInvalidLogin)
		_, _, err = e.svc.Auth.Session(e.ctx, secret)
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Tokens.Authenticate(e.ctx, plain)
		wantErr(t, err, social.ErrNotFound)

		// Admins only, guests only, a future date within two years.
		now := e.clock.Peek()
		wantErr(t, e.svc.Guests.Extend(e.ctx, bob, carol.ID, now.Add(24*time.Hour)), social.ErrForbidden)
		wantErr(t, e.svc.Guests.Extend(e.ctx, ann, bob.ID, now.Add(24*time.Hour)), social.ErrForbidden)
		wantErr(t, e.svc.Guests.Extend(e.ctx, ann, "nope", now.Add(24*time.Hour)), social.ErrNotFound)
		wantFields(t, e.svc.Guests.Extend(e.ctx, ann, carol.ID, now.Add(-time.Hour)), fields("until", "error.guest.until"))
		wantFields(t, e.svc.Guests.Extend(e.ctx, ann, carol.ID, now.Add(3*365*24*time.Hour)), fields("until", "error.guest.until"))
		if len(box.take()) != 0 {
			t.Fatal("refused changes federated")
		}

		until := now.Add(30 * 24 * time.Hour)
		if err := e.svc.Guests.Extend(e.ctx, ann, carol.ID, until); err != nil {
			t.Fatal(err)
		}
		if c := e.reload(carol); c.ExpiresAt == nil || !c.ExpiresAt.Equal(until.Truncate(time.Microsecond)) {
			t.Fatalf("expiry %v, want %v", c.ExpiresAt, until)
		}
		up := one(t, box, social.ActivityUpdateProfile)
		if up.Actor.ID != carol.ID || up.Actor.ExpiresAt == nil || !up.Actor.ExpiresAt.Equal(until.Truncate(time.Microsecond)) {
			t.Fatalf("update carries %+v", up.Actor)
		}
		secret, err = e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7")
		if err != nil {
			t.Fatalf("login after extension: %v", err)
		}
		plain, _, err = e.svc.Tokens.Create(e.ctx, carol.ID, "cli2")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Tokens.Authenticate(e.ctx, plain); err != nil {
			t.Fatal(err)
		}

		// Revoking ends everything at once.
		wantErr(t, e.svc.Guests.Revoke(e.ctx, bob, carol.ID), social.ErrForbidden)
		if err := e.svc.Guests.Revoke(e.ctx, ann, carol.ID); err != nil {
			t.Fatal(err)
		}
		c := e.reload(carol)
		if c.ExpiresAt == nil || c.ExpiresAt.After(e.clock.Peek()) {
			t.Fatalf("expiry after revoke %v", c.ExpiresAt)
		}
		if n := e.count("sessions", "account_id = ?", carol.ID); n != 0 {
			t.Fatalf("%d sessions after revoke", n)
		}
		if n := e.count("tokens", "account_id = ? AND revoked_at IS NULL", carol.ID); n != 0 {
			t.Fatalf("%d live tokens after revoke", n)
		}
		if up := one(t, box, social.ActivityUpdateProfile); up.Actor.ExpiresAt == nil {
			t.Fatal("revoke federated no expiry")
		}
		_, err = e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7")
		wantErr(t, err, social.ErrAccountExpired)
		_, _, err = e.svc.Auth.Session(e.ctx, secret)
		wantErr(t, err, social.ErrNotFound)
		// Revoking again keeps the first end and federates nothing new.
		if err := e.svc.Guests.Revoke(e.ctx, ann, carol.ID); err != nil {
			t.Fatal(err)
		}
		if again := e.reload(carol); !again.ExpiresAt.Equal(*c.ExpiresAt) || len(box.take()) != 0 {
			t.Fatalf("second revoke moved the end to %v", again.ExpiresAt)
		}

		// Made a member, the account no longer ends.
		if err := e.svc.Accounts.SetRole(e.ctx, ann, carol.ID, model.RoleMember); err != nil {
			t.Fatal(err)
		}
		if c := e.reload(carol); c.ExpiresAt != nil {
			t.Fatalf("member with expiry %v", c.ExpiresAt)
		}
		if _, err := e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7"); err != nil {
			t.Fatalf("login as member: %v", err)
		}
	})
}
