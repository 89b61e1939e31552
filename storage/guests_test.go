package storage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// invitation stores a guest invitation by inviter into groups, created at at.
func invitation(t *testing.T, s *storage.Store, by *model.Account, token string, at time.Time, groups ...*model.Group) *model.GuestInvitation {
	t.Helper()
	inv := &model.GuestInvitation{ID: newID(at), Token: token, Email: token + "@partner.example", InvitedByID: by.ID,
		GuestDays: 90, ExpiresAt: at.Add(7 * 24 * time.Hour), CreatedAt: at}
	for _, g := range groups {
		inv.GroupIDs = append(inv.GroupIDs, g.ID)
	}
	if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.CreateGuestInvitation(ctx, inv) }); err != nil {
		t.Fatalf("create invitation %s: %v", token, err)
	}
	return inv
}

func TestGuestInvitations(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann, bob := local(t, s, "ann"), local(t, s, "bob")
		g1, g2 := group(t, s, "one", model.GroupOpen), group(t, s, "two", model.GroupSecret)
		a1 := invitation(t, s, ann, "tok1", t0, g2, g1)
		b1 := invitation(t, s, bob, "tok2", t0.Add(time.Minute), g1)
		a2 := invitation(t, s, ann, "tok3", t0.Add(2*time.Minute))

		dup := &model.GuestInvitation{ID: newID(t0), Token: "tok1", InvitedByID: ann.ID, ExpiresAt: t0, CreatedAt: t0}
		if err := s.CreateGuestInvitation(ctx, dup); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("duplicate token: %v", err)
		}
		got, err := s.GuestInvitationByToken(ctx, "tok1")
		if err != nil || got.ID != a1.ID || got.Email != "tok1@partner.example" || len(got.GroupIDs) != 2 {
			t.Fatalf("by token: %+v %v", got, err)
		}
		if _, err := s.GuestInvitationByToken(ctx, "nope"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		if got, err := s.GuestInvitation(ctx, a2.ID); err != nil || len(got.GroupIDs) != 0 || got.StateAt(t0) != model.InvitationPending {
			t.Fatalf("by id: %+v %v", got, err)
		}

		ids := func(list []*model.GuestInvitation) string {
			out := []string{}
			for _, inv := range list {
				out = append(out, inv.Token)
			}
			return strings.Join(out, ",")
		}
		list, err := s.GuestInvitations(ctx, storage.GuestInvitationFilter{Limit: 2})
		if err != nil || ids(list) != "tok3,tok2" {
			t.Fatalf("first page %s %v", ids(list), err)
		}
		list, err = s.GuestInvitations(ctx, storage.GuestInvitationFilter{Limit: 2, Before: list[1].ID})
		if err != nil || ids(list) != "tok1" || len(list[0].GroupIDs) != 2 {
			t.Fatalf("second page %s %v", ids(list), err)
		}
		list, err = s.GuestInvitations(ctx, storage.GuestInvitationFilter{InvitedByID: ann.ID, Limit: 10})
		if err != nil || ids(list) != "tok3,tok1" {
			t.Fatalf("ann's %s %v", ids(list), err)
		}

		now := t0.Add(time.Hour)
		if n, err := s.CountPendingGuestInvitations(ctx, ann.ID, now); err != nil || n != 2 {
			t.Fatalf("pending %d %v", n, err)
		}
		// Claiming and revoking are conditional: each succeeds once, and never on a used,
		// revoked or expired invitation.
		if ok, err := s.ClaimGuestInvitation(ctx, a1.ID, now); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if ok, _ := s.ClaimGuestInvitation(ctx, a1.ID, now); ok {
			t.Fatal("claimed twice")
		}
		if ok, _ := s.RevokeGuestInvitation(ctx, a1.ID, now); ok {
			t.Fatal("revoked a used invitation")
		}
		if ok, err := s.RevokeGuestInvitation(ctx, b1.ID, now); err != nil || !ok {
			t.Fatalf("revoke: %v %v", ok, err)
		}
		if ok, _ := s.ClaimGuestInvitation(ctx, b1.ID, now); ok {
			t.Fatal("claimed a revoked invitation")
		}
		if ok, _ := s.ClaimGuestInvitation(ctx, a2.ID, a2.ExpiresAt); ok {
			t.Fatal("claimed an expired invitation")
		}
		if n, _ := s.CountPendingGuestInvitations(ctx, ann.ID, now); n != 1 {
			t.Fatalf("pending after claim %d", n)
		}
		if err := s.SetGuestInvitationAccount(ctx, a1.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetGuestInvitationMail(ctx, a2.ID, &now, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetGuestInvitationMail(ctx, b1.ID, nil, "550 no"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GuestInvitation(ctx, a1.ID)
		if got.StateAt(now) != model.InvitationAccepted || got.AccountID == nil || *got.AccountID != bob.ID {
			t.Fatalf("accepted: %+v", got)
		}
		got, _ = s.GuestInvitation(ctx, b1.ID)
		if got.StateAt(now) != model.InvitationRevoked || got.MailError != "550 no" || got.MailedAt != nil {
			t.Fatalf("revoked: %+v", got)
		}
		got, _ = s.GuestInvitation(ctx, a2.ID)
		if got.MailedAt == nil || !got.MailedAt.Equal(now) || got.StateAt(a2.ExpiresAt) != model.InvitationExpired {
			t.Fatalf("mailed: %+v", got)
		}
		// Deleting a group drops it from its invitations.
		if err := s.DeleteGroup(ctx, g2.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GuestInvitation(ctx, a1.ID); len(got.GroupIDs) != 1 || got.GroupIDs[0] != g1.ID {
			t.Fatalf("groups after delete %v", got.GroupIDs)
		}
	})
}

func TestInvitableGroups(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann := local(t, s, "ann")
		open, closed, modded := group(t, s, "open", model.GroupOpen), group(t, s, "closed", model.GroupClosed),
			group(t, s, "modded", model.GroupClosed)
		group(t, s, "secret", model.GroupSecret)
		old, invited := group(t, s, "old", model.GroupOpen), group(t, s, "invited", model.GroupOpen)
		remote := &model.Group{ID: newID(t0), Name: "far", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/far",
			Kind: model.GroupOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateGroup(ctx, remote); err != nil {
			t.Fatal(err)
		}
		old.ArchivedAt = &t0
		if err := s.UpdateGroup(ctx, old, "archived_at"); err != nil {
			t.Fatal(err)
		}
		join(t, s, open, ann, model.GroupMember, model.MemberActive)
		join(t, s, closed, ann, model.GroupMember, model.MemberActive)
		join(t, s, modded, ann, model.GroupModerator, model.MemberActive)
		join(t, s, old, ann, model.GroupOwner, model.MemberActive)
		join(t, s, invited, ann, model.GroupMember, model.MemberInvited)
		join(t, s, remote, ann, model.GroupMember, model.MemberActive)
		list, err := s.InvitableGroups(ctx, ann.ID, false, 100)
		if err != nil || strings.Join(groupNames(list), ",") != "modded,open" {
			t.Fatalf("member's %v %v", groupNames(list), err)
		}
		list, err = s.InvitableGroups(ctx, ann.ID, true, 100)
		if err != nil || strings.Join(groupNames(list), ",") != "closed,invited,modded,open,secret" {
			t.Fatalf("admin's %v %v", groupNames(list), err)
		}
	})
}

func TestGuestAccounts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann, gus, gia := local(t, s, "ann"), local(t, s, "gus"), local(t, s, "gia")
		for _, a := range []*model.Account{gus, gia} {
			a.Role = model.RoleGuest
			if err := s.UpdateAccount(ctx, a, "role"); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.LocalAccountByEmail(ctx, "gus@example.com"); err != nil || got.ID != gus.ID {
			t.Fatalf("by email %v %v", got, err)
		}
		if _, err := s.LocalAccountByEmail(ctx, "nobody@example.com"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown email %v", err)
		}
		list, err := s.LocalGuests(ctx, storage.GuestFilter{Limit: 10})
		if err != nil || len(list) != 2 || list[0].Username != "gia" || list[1].Username != "gus" {
			t.Fatalf("guests %v %v", list, err)
		}
		if list, _ := s.LocalGuests(ctx, storage.GuestFilter{After: "gia", Limit: 10}); len(list) != 1 {
			t.Fatalf("guests after gia %d", len(list))
		}
		end := t0.Add(time.Hour)
		if err := s.SetAccountExpiry(ctx, gus.ID, &end, t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Account(ctx, gus.ID); got.ExpiresAt == nil || !got.ExpiresAt.Equal(end) || got.ActiveAt(end) || !got.ActiveAt(t0) {
			t.Fatalf("expiry %v", got.ExpiresAt)
		}
		if err := s.SetAccountExpiry(ctx, "nope", &end, t0); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		for _, a := range []*model.Account{gus, ann} {
			if err := s.CreateSession(ctx, &model.Session{ID: "S" + a.ID, AccountID: a.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: end}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateToken(ctx, &model.Token{ID: "T" + a.ID, AccountID: a.ID, Name: "x", Hash: "H" + a.ID, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.EndSessions(ctx, gus.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeTokens(ctx, gus.ID, t0); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "sessions", "1 = 1"); n != 1 {
			t.Fatalf("%d sessions left, want ann's", n)
		}
		if n := count(t, s, "tokens", "revoked_at IS NULL"); n != 1 {
			t.Fatalf("%d live tokens, want ann's", n)
		}
	})
}
