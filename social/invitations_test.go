package social_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// fakeMailer records the invitation mails; fail makes them fail.
type fakeMailer struct {
	mu    sync.Mutex
	sent  []sentMail
	fail  error
	calls int
}

type sentMail struct {
	to, inviter, site, link string
	groups                  []string
	expires                 time.Time
}

func (m *fakeMailer) SendInvitation(ctx context.Context, to, inviterName, siteName, link string, groups []string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("mail sent without a deadline")
	}
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, sentMail{to, inviterName, siteName, link, groups, expires})
	return nil
}

// guestEnv is an env whose rules have the given guest settings and mailer.
func guestEnv(e *env, gs social.GuestSettings, m social.Mailer) *env {
	deps := e.deps
	deps.GuestSettings, deps.Mailer = gs, m
	return &env{t: e.t, ctx: e.ctx, store: e.store, svc: social.New(deps), clock: e.clock, deps: deps}
}

// invite creates an invitation, failing the test on error.
func (e *env) invite(by *model.Account, email string, groups ...*model.Group) *social.InvitationView {
	e.t.Helper()
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	v, err := e.svc.Invitations.Invite(e.ctx, by, social.InvitationInput{Email: email, GroupIDs: ids})
	if err != nil {
		e.t.Fatalf("invite %s: %v", email, err)
	}
	return v
}

// tokenOf is the token at the end of an invitation link.
func tokenOf(v *social.InvitationView) string { return v.Link[strings.LastIndex(v.Link, "/")+1:] }

func (e *env) accept(token, username string) (*social.Accepted, error) {
	return e.svc.Invitations.Accept(e.ctx, token, social.AcceptInput{
		Username: username, DisplayName: "Guest " + username, Password: testrig.Password, IP: "192.0.2.7",
	})
}

func TestInviteRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann, bob, carl := e.admin("ann"), e.member("bob"), e.member("carl")
		gus := e.guest("gus")
		open := e.group(bob, "open", model.GroupOpen)
		closed := e.group(bob, "closed", model.GroupClosed)
		secret := e.group(ann, "secret", model.GroupSecret)
		archived := e.group(ann, "old", model.GroupOpen)
		if err := e.svc.Groups.SetArchived(e.ctx, ann, archived.ID, true); err != nil {
			t.Fatal(err)
		}
		e.joined(open, bob, carl)
		e.joined(closed, bob, carl)
		remote, err := e.svc.Remote.UpsertGroup(e.ctx, model.Group{Name: "chess", Domain: "127.0.0.1:8081",
			URI: "http://127.0.0.1:8081/groups/chess", InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupOpen})
		if err != nil {
			t.Fatal(err)
		}
		members := guestEnv(e, social.GuestSettings{MembersInvite: true}, nil)
		ids := func(gs ...*model.Group) []string {
			out := []string{}
			for _, g := range gs {
				out = append(out, g.ID)
			}
			return out
		}
		many := make([]string, 21)
		for i := range many {
			many[i] = "G" + strconv.Itoa(i)
		}
		cases := []struct {
			name   string
			e      *env
			by     *model.Account
			in     social.InvitationInput
			err    error
			fields map[string]string
		}{
			{"admin any local group", e, ann, social.InvitationInput{Email: "a@x.example", GroupIDs: ids(open, closed, secret)}, nil, nil},
			{"members may not by default", e, bob, social.InvitationInput{Email: "b@x.example", GroupIDs: ids(open)}, social.ErrForbidden, nil},
			{"guests never", members, gus, social.InvitationInput{Email: "c@x.example", GroupIDs: ids(open)}, social.ErrForbidden, nil},
			{"owner of a closed group", members, bob, social.InvitationInput{Email: "d@x.example", GroupIDs: ids(closed, open)}, nil, nil},
			{"member of an open group", members, carl, social.InvitationInput{Email: "e@x.example", GroupIDs: ids(open)}, nil, nil},
			{"member of a closed group", members, carl, social.InvitationInput{Email: "f@x.example", GroupIDs: ids(open, closed)}, nil, fields("groups", "error.invitation.groups_invalid")},
			{"secret group not the member's", members, carl, social.InvitationInput{Email: "g@x.example", GroupIDs: ids(secret)}, nil, fields("groups", "error.invitation.groups_invalid")},
			{"archived group", e, ann, social.InvitationInput{Email: "h@x.example", GroupIDs: ids(archived)}, nil, fields("groups", "error.invitation.groups_invalid")},
			{"remote group", e, ann, social.InvitationInput{Email: "i@x.example", GroupIDs: ids(remote)}, nil, fields("groups", "error.invitation.groups_invalid")},
			{"unknown group", e, ann, social.InvitationInput{Email: "j@x.example", GroupIDs: []string{"nope"}}, nil, fields("groups", "error.invitation.groups_invalid")},
			{"bad email and no group", e, ann, social.InvitationInput{Email: "not mail", GroupIDs: []string{" "}}, nil, fields("email", "error.email.invalid", "groups", "error.invitation.groups_empty")},
			{"too many groups", e, ann, social.InvitationInput{Email: "k@x.example", GroupIDs: many}, nil, fields("groups", "error.invitation.groups_many")},
			{"days too many", e, ann, social.InvitationInput{Email: "l@x.example", GroupIDs: ids(open), GuestDays: 366}, nil, fields("days", "error.invitation.days")},
			{"days negative", e, ann, social.InvitationInput{Email: "l@x.example", GroupIDs: ids(open), GuestDays: -1}, nil, fields("days", "error.invitation.days")},
			{"email of an account", e, ann, social.InvitationInput{Email: "Carl@example.com", GroupIDs: ids(open)}, nil, fields("email", "error.invitation.email_taken")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := e.count("guest_invitations", "1 = 1")
				v, err := c.e.svc.Invitations.Invite(e.ctx, c.by, c.in)
				if c.fields != nil {
					wantFields(t, err, c.fields)
				} else if c.err != nil {
					wantErr(t, err, c.err)
				} else if err != nil {
					t.Fatal(err)
				}
				after := e.count("guest_invitations", "1 = 1")
				if (err == nil) != (after == before+1) {
					t.Fatalf("invitations %d -> %d with error %v", before, after, err)
				}
				if err != nil {
					return
				}
				inv := v.Invitation
				if v.State != model.InvitationPending || inv.GuestDays != 90 || len(inv.Token) != 43 ||
					v.Link != testrig.BaseURL+"/invite/"+inv.Token || inv.InvitedByID != c.by.ID {
					t.Fatalf("invitation %+v view %+v", inv, v)
				}
				if d := inv.ExpiresAt.Sub(inv.CreatedAt); d != 7*24*time.Hour {
					t.Fatalf("link lasts %v, want 7 days", d)
				}
				if len(v.Groups) != len(c.in.GroupIDs) || inv.MailedAt != nil || inv.MailError != "" {
					t.Fatalf("groups %d, mail %v %q", len(v.Groups), inv.MailedAt, inv.MailError)
				}
			})
		}
		if got := members.svc.Invitations.MayInvite(carl); !got {
			t.Error("members may invite when the node lets them")
		}
		if e.svc.Invitations.MayInvite(carl) || e.svc.Invitations.MayInvite(gus) || !e.svc.Invitations.MayInvite(ann) {
			t.Error("MayInvite with the default settings")
		}
		groups, err := members.svc.Invitations.InvitableGroups(e.ctx, carl)
		if err != nil || len(groups) != 1 || groups[0].ID != open.ID {
			t.Errorf("carl may invite into %v (%v), want open only", groups, err)
		}
		groups, err = e.svc.Invitations.InvitableGroups(e.ctx, ann)
		if err != nil || len(groups) != 3 {
			t.Errorf("ann may invite into %d groups (%v), want 3 local unarchived", len(groups), err)
		}
	})
}

func TestInviteSettingsAndLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.admin("ann")
		g := e.group(ann, "team", model.GroupOpen)
		e = guestEnv(e, social.GuestSettings{InvitationTTL: time.Hour, AccountDays: 30}, nil)
		v := e.invite(ann, "x@partner.example", g)
		if v.Invitation.GuestDays != 30 || v.Invitation.ExpiresAt.Sub(v.Invitation.CreatedAt) != time.Hour {
			t.Fatalf("settings not applied: %+v", v.Invitation)
		}
		v, err := e.svc.Invitations.Invite(e.ctx, ann, social.InvitationInput{Email: "y@partner.example", GroupIDs: []string{g.ID}, GuestDays: 365})
		if err != nil || v.Invitation.GuestDays != 365 {
			t.Fatalf("365 days: %v", err)
		}
		for i := 2; i < 200; i++ {
			e.invite(ann, "p"+strconv.Itoa(i)+"@partner.example", g)
		}
		_, err = e.svc.Invitations.Invite(e.ctx, ann, social.InvitationInput{Email: "last@partner.example", GroupIDs: []string{g.ID}})
		wantFields(t, err, fields("email", "error.invitation.too_many"))
		// Expired links no longer count.
		e.clock.Advance(2 * time.Hour)
		e.invite(ann, "last@partner.example", g)
	})
}

func TestInvitationAccept(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann, bob := e.admin("ann"), e.member("bob")
		open := e.group(bob, "open", model.GroupOpen)
		secret := e.group(ann, "secret", model.GroupSecret)
		gone := e.group(ann, "gone", model.GroupOpen)
		v := e.invite(ann, "Carol@Partner.example", secret, open, gone)
		if err := e.svc.Groups.SetArchived(e.ctx, ann, gone.ID, true); err != nil {
			t.Fatal(err)
		}
		token := tokenOf(v)

		look, err := e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.7")
		if err != nil || look.InvitedBy.ID != ann.ID || len(look.Groups) != 2 {
			t.Fatalf("lookup: %+v %v", look, err)
		}
		// Bad input leaves the link usable.
		_, err = e.svc.Invitations.Accept(e.ctx, token, social.AcceptInput{Username: "Bad Name", Password: "short"})
		wantFields(t, err, fields("username", "error.username.invalid", "password", "error.password.short"))
		_, err = e.accept(token, "bob")
		wantFields(t, err, fields("username", "error.username.taken"))

		start := e.clock.Peek()
		got, err := e.accept(token, "carol")
		if err != nil {
			t.Fatal(err)
		}
		carol := e.reload(got.Account)
		if carol.Role != model.RoleGuest || carol.Email != "carol@partner.example" || !carol.Local() ||
			carol.DisplayName != "Guest carol" || carol.ExpiresAt == nil || carol.Site != "Berlin" {
			t.Fatalf("guest account %+v", carol)
		}
		if d := carol.ExpiresAt.Sub(start); d < 90*24*time.Hour || d > 90*24*time.Hour+time.Minute {
			t.Fatalf("guest lasts %v, want 90 days", d)
		}
		if len(got.Groups) != 2 || got.Groups[0].Name != "open" || got.Groups[1].Name != "secret" {
			t.Fatalf("joined %v", got.Groups)
		}
		for _, g := range []*model.Group{open, secret} {
			if st, role := e.membership(g, carol); st != model.MemberActive || role != model.GroupMember {
				t.Errorf("%s: %s %s", g.Name, st, role)
			}
		}
		if st, _ := e.membership(gone, carol); st != "" {
			t.Errorf("joined the archived group: %s", st)
		}
		view, err := e.svc.Groups.Get(e.ctx, carol, "secret")
		if err != nil || view.Members != 2 {
			t.Fatalf("secret group as the guest: %+v %v", view, err)
		}
		if _, err := e.svc.Auth.Login(e.ctx, "carol", testrig.Password, "test", "192.0.2.7"); err != nil {
			t.Fatalf("guest login: %v", err)
		}

		// The link is used up.
		_, err = e.accept(token, "carol2")
		wantErr(t, err, social.ErrInvitationGone)
		_, err = e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.7")
		wantErr(t, err, social.ErrInvitationGone)
		page, err := e.svc.Invitations.List(e.ctx, ann, social.InvitationQuery{})
		if err != nil || len(page.Invitations) != 1 {
			t.Fatal(page, err)
		}
		if iv := page.Invitations[0]; iv.State != model.InvitationAccepted || iv.Guest == nil || iv.Guest.ID != carol.ID || iv.CanRevoke {
			t.Fatalf("accepted invitation %+v", iv)
		}

		// Unknown, malformed, expired and revoked links.
		_, err = e.accept(strings.Repeat("A", 43), "dave")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.accept("../../etc", "dave")
		wantErr(t, err, social.ErrNotFound)
		late := e.invite(ann, "late@partner.example", open)
		revoked := e.invite(ann, "rev@partner.example", open)
		if err := e.svc.Invitations.Revoke(e.ctx, ann, revoked.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.accept(tokenOf(revoked), "dave")
		wantErr(t, err, social.ErrInvitationGone)
		e.clock.Advance(7*24*time.Hour + time.Second)
		_, err = e.accept(tokenOf(late), "dave")
		wantErr(t, err, social.ErrInvitationGone)
		if n := e.count("accounts", "username = ?", "dave"); n != 0 {
			t.Fatalf("%d accounts from dead links", n)
		}
	})
}

func TestInvitationConcurrentAccept(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.admin("ann")
		g := e.group(ann, "team", model.GroupOpen)
		token := tokenOf(e.invite(ann, "twice@partner.example", g))
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.accept(token, "guest"+strconv.Itoa(i))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, social.ErrInvitationGone):
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d accepts succeeded, want 1 (%v)", ok, errs)
		}
		if c := e.count("accounts", "role = ?", model.RoleGuest); c != 1 {
			t.Fatalf("%d guest accounts, want 1", c)
		}
		if c := e.count("group_members", "group_id = ?", g.ID); c != 2 {
			t.Fatalf("%d members, want owner and one guest", c)
		}
	})
}

func TestInvitationListRevoke(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann, bob, carl := e.admin("ann"), e.member("bob"), e.member("carl")
		g := e.group(bob, "team", model.GroupOpen)
		e.joined(g, bob, carl)
		m := guestEnv(e, social.GuestSettings{MembersInvite: true}, nil)
		b1 := m.invite(bob, "b1@partner.example", g)
		c1 := m.invite(carl, "c1@partner.example", g)
		b2 := m.invite(bob, "b2@partner.example", g)

		ids := func(p *social.InvitationPage) []string {
			out := []string{}
			for _, v := range p.Invitations {
				out = append(out, v.Invitation.Email)
			}
			return out
		}
		page, err := m.svc.Invitations.List(e.ctx, bob, social.InvitationQuery{})
		if err != nil || strings.Join(ids(page), ",") != "b2@partner.example,b1@partner.example" {
			t.Fatalf("bob's list %v %v", ids(page), err)
		}
		page, err = m.svc.Invitations.List(e.ctx, ann, social.InvitationQuery{Limit: 2})
		if err != nil || strings.Join(ids(page), ",") != "b2@partner.example,c1@partner.example" || page.Next == "" {
			t.Fatalf("ann's first page %v next %q %v", ids(page), page.Next, err)
		}
		page, err = m.svc.Invitations.List(e.ctx, ann, social.InvitationQuery{Limit: 2, Before: page.Next})
		if err != nil || strings.Join(ids(page), ",") != "b1@partner.example" || page.Next != "" {
			t.Fatalf("ann's second page %v next %q %v", ids(page), page.Next, err)
		}
		if v := page.Invitations[0]; v.InvitedBy.ID != bob.ID || len(v.Groups) != 1 || !v.CanRevoke || v.Link == "" {
			t.Fatalf("view %+v", v)
		}
		gus := e.guest("gus")
		_, err = m.svc.Invitations.List(e.ctx, gus, social.InvitationQuery{})
		wantErr(t, err, social.ErrForbidden)

		// Only the inviter or an admin revokes, and only pending invitations.
		wantErr(t, m.svc.Invitations.Revoke(e.ctx, carl, b1.Invitation.ID), social.ErrNotFound)
		wantErr(t, m.svc.Invitations.Revoke(e.ctx, gus, b1.Invitation.ID), social.ErrForbidden)
		wantErr(t, m.svc.Invitations.Revoke(e.ctx, ann, "nope"), social.ErrNotFound)
		if err := m.svc.Invitations.Revoke(e.ctx, bob, b1.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		if err := m.svc.Invitations.Revoke(e.ctx, ann, c1.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		wantFields(t, m.svc.Invitations.Revoke(e.ctx, bob, b1.Invitation.ID), fields("invitation", "error.invitation.not_pending"))
		if _, err := m.accept(tokenOf(b2), "guest"); err != nil {
			t.Fatal(err)
		}
		wantFields(t, m.svc.Invitations.Revoke(e.ctx, bob, b2.Invitation.ID), fields("invitation", "error.invitation.not_pending"))
		page, err = m.svc.Invitations.List(e.ctx, ann, social.InvitationQuery{})
		if err != nil {
			t.Fatal(err)
		}
		states := []string{}
		for _, v := range page.Invitations {
			states = append(states, string(v.State))
		}
		if strings.Join(states, ",") != "accepted,revoked,revoked" {
			t.Fatalf("states %v", states)
		}
	})
}

func TestInvitationMail(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.admin("ann")
		g := e.group(ann, "team", model.GroupOpen)
		mailer := &fakeMailer{}
		m := guestEnv(e, social.GuestSettings{}, mailer)
		if !m.svc.Invitations.MailEnabled() || e.svc.Invitations.MailEnabled() {
			t.Fatal("MailEnabled")
		}
		v := m.invite(ann, "carol@partner.example", g)
		if len(mailer.sent) != 1 {
			t.Fatalf("%d mails", len(mailer.sent))
		}
		sent := mailer.sent[0]
		if sent.to != "carol@partner.example" || sent.inviter != "ann" || sent.site != "Berlin" || sent.link != v.Link ||
			len(sent.groups) != 1 || sent.groups[0] != "The team" || !sent.expires.Equal(v.Invitation.ExpiresAt) {
			t.Fatalf("mail %+v", sent)
		}
		if v.Invitation.MailedAt == nil || v.Invitation.MailError != "" {
			t.Fatalf("mail outcome %v %q", v.Invitation.MailedAt, v.Invitation.MailError)
		}
		mailer.fail = errors.New("550 mailbox unavailable")
		v = m.invite(ann, "dave@partner.example", g)
		if v.Invitation.MailedAt != nil || v.Invitation.MailError != "550 mailbox unavailable" {
			t.Fatalf("failed mail outcome %v %q", v.Invitation.MailedAt, v.Invitation.MailError)
		}
		page, err := m.svc.Invitations.List(e.ctx, ann, social.InvitationQuery{})
		if err != nil || len(page.Invitations) != 2 {
			t.Fatal(err)
		}
		if page.Invitations[0].Invitation.MailError == "" || page.Invitations[1].Invitation.MailedAt == nil {
			t.Fatal("mail outcome not stored")
		}
		// A refused invitation sends nothing.
		calls := mailer.calls
		if _, err := m.svc.Invitations.Invite(e.ctx, ann, social.InvitationInput{Email: "x", GroupIDs: []string{g.ID}}); err == nil {
			t.Fatal("bad email accepted")
		}
		if mailer.calls != calls {
			t.Fatal("mail sent for a refused invitation")
		}
	})
}

func TestInvitationLinkRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.admin("ann")
		g := e.group(ann, "team", model.GroupOpen)
		token := tokenOf(e.invite(ann, "carol@partner.example", g))
		// Known links cost nothing.
		for range 15 {
			if _, err := e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.9"); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			_, err := e.svc.Invitations.Lookup(e.ctx, strings.Repeat("x", 43)+strconv.Itoa(i), "192.0.2.9")
			wantErr(t, err, social.ErrNotFound)
		}
		_, err := e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.9")
		wantErr(t, err, social.ErrRateLimited)
		if _, err := e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.10"); err != nil {
			t.Fatalf("other address: %v", err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Invitations.Lookup(e.ctx, token, "192.0.2.9"); err != nil {
			t.Fatalf("after a minute: %v", err)
		}
	})
}
