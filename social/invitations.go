package social

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// GuestSettings are the node's guest rules from its configuration.
type GuestSettings struct {
	// MembersInvite lets members invite guests too; admins always may.
	MembersInvite bool
	// InvitationTTL is how long an invitation link works; zero means 7 days.
	InvitationTTL time.Duration
	// AccountDays is how many days a guest account lasts by default; zero means 90.
	AccountDays int
}

// Mailer sends the mails of invitations. internal/mailer implements it over SMTP.
type Mailer interface {
	SendInvitation(ctx context.Context, to, inviterName, siteName, link string, groups []string, expires time.Time) error
}

// ErrInvitationGone means the invitation link exists but was used, revoked or expired.
var ErrInvitationGone = errors.New("invitation used, revoked or expired")

// Invitation limits.
const (
	maxInvitationGroups = 20
	maxGuestDays        = 365
	// maxPendingInvitations bounds the links one person may have open at once.
	maxPendingInvitations = 200
	// invitationTokenLen is 32 random bytes in unpadded base64url.
	invitationTokenLen = 43
	// mailTimeout bounds mailing one invitation after it was stored.
	mailTimeout = 20 * time.Second
	// maxInvitableGroups bounds the group choice of the invitation form.
	maxInvitableGroups = 500
)

// Invitations invites guests by email into groups and turns the links into accounts.
type Invitations struct {
	*core
	// limits counts unknown invitation tokens per client address.
	limits *loginLimits
}

func newInvitations(c *core) *Invitations { return &Invitations{core: c, limits: newLoginLimits()} }

// InvitationInput is a new invitation.
type InvitationInput struct {
	Email    string
	GroupIDs []string
	// GuestDays is how long the guest account lasts from sign-up; zero means the default.
	GuestDays int
}

// InvitationView is an invitation as its inviter or an admin sees it.
type InvitationView struct {
	Invitation *model.GuestInvitation
	State      model.InvitationState
	// Link is the sign-up link to copy; it works while State is pending.
	Link string
	// Groups are the invitation's groups that still exist, by name.
	Groups    []*model.Group
	InvitedBy *model.Account
	// Guest is the account the link created, if it was used and the account exists.
	Guest     *model.Account
	CanRevoke bool
}

// InvitationQuery selects a page of invitations, newest first.
type InvitationQuery struct {
	// Before is the id of the invitation to continue before.
	Before string
	Limit  int
}

// InvitationPage is one page of invitations and the cursor of the next ("" at the end).
type InvitationPage struct {
	Invitations []*InvitationView
	Next        string
}

// AcceptInput is the sign-up form of an invitation link.
type AcceptInput struct {
	Username, DisplayName, Password string
	// IP is the client address, for the limit on unknown links.
	IP string
}

// Accepted is the guest account an invitation created and the groups it joined, by name.
type Accepted struct {
	Account *model.Account
	Groups  []*model.Group
}

func (iv *Invitations) invitationTTL() time.Duration {
	if iv.GuestSettings.InvitationTTL > 0 {
		return iv.GuestSettings.InvitationTTL
	}
	return 7 * 24 * time.Hour
}

// DefaultDays is how many days a guest account lasts unless the inviter says otherwise.
func (iv *Invitations) DefaultDays() int {
	if d := iv.GuestSettings.AccountDays; d > 0 && d <= maxGuestDays {
		return d
	}
	return 90
}

// MailEnabled reports whether invitations go out by mail.
func (iv *Invitations) MailEnabled() bool { return iv.Mailer != nil }

// MayInvite reports whether a may invite guests: active local admins always, members
// when the node lets them, guests never.
func (iv *Invitations) MayInvite(a *model.Account) bool {
	if a == nil || !a.Local() || !a.ActiveAt(iv.Now()) {
		return false
	}
	return a.IsAdmin() || (a.Role == model.RoleMember && iv.GuestSettings.MembersInvite)
}

// link is the sign-up address of an invitation.
func (iv *Invitations) link(inv *model.GuestInvitation) string {
	return iv.URIs.Base + "/invite/" + inv.Token
}

// InvitableGroups lists the groups a may invite guests into, by name: for admins every
// local group that is not archived, for members the ones they moderate and the open
// ones they belong to (the rule of Groups.Invite).
func (iv *Invitations) InvitableGroups(ctx context.Context, a *model.Account) ([]*model.Group, error) {
	if !iv.MayInvite(a) {
		return nil, ErrForbidden
	}
	return iv.Store.InvitableGroups(ctx, a.ID, a.IsAdmin(), maxInvitableGroups)
}

// mayInviteInto reports whether inviter may bring guests into grp.
func mayInviteInto(ctx context.Context, tx *storage.Store, inviter *model.Account, grp *model.Group) (bool, error) {
	if !grp.Local() || grp.Archived() {
		return false, nil
	}
	if inviter.IsAdmin() {
		return true, nil
	}
	m, err := membershipOf(ctx, tx, grp.ID, inviter.ID)
	if err != nil {
		return false, err
	}
	return moderates(m) || (active(m) && grp.Kind == model.GroupOpen), nil
}

// Invite stores an invitation of a guest by email into groups and then, outside the
// transaction, mails its link if the node sends mail. The result carries the link to
// copy and how the mail went; a failed mail does not fail the invitation.
func (iv *Invitations) Invite(ctx context.Context, inviter *model.Account, in InvitationInput) (*InvitationView, error) {
	if !iv.MayInvite(inviter) {
		return nil, ErrForbidden
	}
	p := problems{}
	email, ok := normalizeEmail(in.Email)
	if !ok {
		p.add("email", "error.email.invalid")
	}
	groupIDs := uniqueNonEmpty(in.GroupIDs)
	switch {
	case len(groupIDs) == 0:
		p.add("groups", "error.invitation.groups_empty")
	case len(groupIDs) > maxInvitationGroups:
		p.add("groups", "error.invitation.groups_many")
	}
	days := in.GuestDays
	if days == 0 {
		days = iv.DefaultDays()
	}
	if days < 1 || days > maxGuestDays {
		p.add("days", "error.invitation.days")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	now := iv.now()
	inv := &model.GuestInvitation{
		ID: iv.newID(), Token: randomToken(32), Email: email, InvitedByID: inviter.ID,
		GuestDays: days, ExpiresAt: now.Add(iv.invitationTTL()), CreatedAt: now, GroupIDs: groupIDs,
	}
	var groups []*model.Group
	err := iv.Store.InTx(ctx, func(tx *storage.Store) error {
		n, err := tx.CountPendingGuestInvitations(ctx, inviter.ID, now)
		if err != nil {
			return err
		}
		if n >= maxPendingInvitations {
			return &ValidationError{Fields: map[string]string{"email": "error.invitation.too_many"}}
		}
		if _, err := tx.LocalAccountByEmail(ctx, email); err == nil {
			return &ValidationError{Fields: map[string]string{"email": "error.invitation.email_taken"}}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		byID, err := tx.GroupsByIDs(ctx, groupIDs)
		if err != nil {
			return err
		}
		for _, id := range groupIDs {
			grp := byID[id]
			ok := grp != nil
			if ok {
				if ok, err = mayInviteInto(ctx, tx, inviter, grp); err != nil {
					return err
				}
			}
			if !ok {
				// Unknown, remote, archived or not the inviter's to open: one answer, so
				// the form does not reveal secret groups.
				return &ValidationError{Fields: map[string]string{"groups": "error.invitation.groups_invalid"}}
			}
			groups = append(groups, grp)
		}
		return tx.CreateGuestInvitation(ctx, inv)
	})
	if err != nil {
		return nil, err
	}
	sortGroups(groups)
	iv.Log.InfoContext(ctx, "guest invitation created", "invitation", inv.ID, "by", inviter.Username,
		"email", email, "groups", len(groups), "days", days)
	iv.mail(ctx, inviter, inv, groups)
	return &InvitationView{Invitation: inv, State: inv.StateAt(iv.now()), Link: iv.link(inv), Groups: groups,
		InvitedBy: inviter, CanRevoke: true}, nil
}

// mail sends the invitation's link, if the node sends mail, and records the outcome. It
// runs after the invitation committed, detached from the request's cancellation but
// bounded by mailTimeout.
func (iv *Invitations) mail(ctx context.Context, inviter *model.Account, inv *model.GuestInvitation, groups []*model.Group) {
	if iv.Mailer == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	mctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.DisplayName
	}
	err := iv.Mailer.SendInvitation(mctx, inv.Email, inviter.Name(), iv.SiteName, iv.link(inv), names, inv.ExpiresAt)
	if err != nil {
		inv.MailError = truncate(err.Error(), 500)
		iv.Log.WarnContext(ctx, "invitation mail failed", "invitation", inv.ID, "err", err)
	} else {
		t := iv.now()
		inv.MailedAt = &t
		iv.Log.InfoContext(ctx, "invitation mailed", "invitation", inv.ID)
	}
	if err := iv.Store.SetGuestInvitationMail(ctx, inv.ID, inv.MailedAt, inv.MailError); err != nil {
		iv.Log.ErrorContext(ctx, "record invitation mail", "invitation", inv.ID, "err", err)
	}
}

// List returns invitations newest first: an admin's page holds everyone's, a member's
// their own. Guests have none.
func (iv *Invitations) List(ctx context.Context, viewer *model.Account, q InvitationQuery) (*InvitationPage, error) {
	if !viewer.Local() || viewer.IsGuest() {
		return nil, ErrForbidden
	}
	limit := clampLimit(q.Limit, 50, 200)
	f := storage.GuestInvitationFilter{Before: q.Before, Limit: limit + 1}
	if !viewer.IsAdmin() {
		f.InvitedByID = viewer.ID
	}
	list, err := iv.Store.GuestInvitations(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &InvitationPage{}
	if len(list) > limit {
		list = list[:limit]
		page.Next = list[limit-1].ID
	}
	var acctIDs, groupIDs []string
	for _, inv := range list {
		acctIDs = append(acctIDs, inv.InvitedByID)
		if inv.AccountID != nil {
			acctIDs = append(acctIDs, *inv.AccountID)
		}
		groupIDs = append(groupIDs, inv.GroupIDs...)
	}
	accts, err := iv.Store.ProfilesByIDs(ctx, uniqueNonEmpty(acctIDs))
	if err != nil {
		return nil, err
	}
	groups, err := iv.Store.GroupsByIDs(ctx, uniqueNonEmpty(groupIDs))
	if err != nil {
		return nil, err
	}
	now := iv.now()
	for _, inv := range list {
		v := &InvitationView{Invitation: inv, State: inv.StateAt(now), Link: iv.link(inv), InvitedBy: accts[inv.InvitedByID]}
		if inv.AccountID != nil {
			v.Guest = accts[*inv.AccountID]
		}
		for _, id := range inv.GroupIDs {
			if g := groups[id]; g != nil {
				v.Groups = append(v.Groups, g)
			}
		}
		sortGroups(v.Groups)
		v.CanRevoke = v.State == model.InvitationPending
		page.Invitations = append(page.Invitations, v)
	}
	return page, nil
}

// Revoke withdraws a pending invitation; its inviter or an admin may. Others do not
// learn that it exists.
func (iv *Invitations) Revoke(ctx context.Context, actor *model.Account, id string) error {
	if !actor.Local() || actor.IsGuest() {
		return ErrForbidden
	}
	inv, err := iv.Store.GuestInvitation(ctx, id)
	if err != nil {
		return err
	}
	if !actor.IsAdmin() && inv.InvitedByID != actor.ID {
		return ErrNotFound
	}
	ok, err := iv.Store.RevokeGuestInvitation(ctx, id, iv.now())
	if err != nil {
		return err
	}
	if !ok {
		return &ValidationError{Fields: map[string]string{"invitation": "error.invitation.not_pending"}}
	}
	iv.Log.InfoContext(ctx, "guest invitation revoked", "invitation", id, "by", actor.Username)
	return nil
}

// pending resolves an invitation link for the public sign-up page. Unknown tokens are
// ErrNotFound and count against the client address (a few a minute), so links cannot be
// guessed at speed; known ones that can no longer be used are ErrInvitationGone.
func (iv *Invitations) pending(ctx context.Context, token, ip string) (*model.GuestInvitation, error) {
	now := iv.Now()
	res, ok := iv.limits.reserve("ip:"+truncate(ip, 64), now)
	if !ok {
		iv.Log.WarnContext(ctx, "invitation link rate limited", "ip", ip)
		return nil, ErrRateLimited
	}
	var inv *model.GuestInvitation
	err := ErrNotFound
	// A token of the wrong shape is not looked up, but costs the same attempt.
	if len(token) == invitationTokenLen && strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == "" {
		inv, err = iv.Store.GuestInvitationByToken(ctx, token)
	}
	if errors.Is(err, ErrNotFound) {
		iv.Log.InfoContext(ctx, "unknown invitation link", "ip", ip)
		return nil, ErrNotFound
	}
	res.Cancel() // a known link (or a failed query) costs no attempt
	if err != nil {
		return nil, err
	}
	if st := inv.StateAt(iv.now()); st != model.InvitationPending {
		return inv, fmt.Errorf("invitation %s is %s: %w", inv.ID, st, ErrInvitationGone)
	}
	return inv, nil
}

// Lookup returns the pending invitation of a link, with its inviter and groups, for the
// sign-up page; see pending for the errors.
func (iv *Invitations) Lookup(ctx context.Context, token, ip string) (*InvitationView, error) {
	inv, err := iv.pending(ctx, token, ip)
	if err != nil {
		return nil, err
	}
	inviter, err := iv.Store.Account(ctx, inv.InvitedByID)
	if err != nil {
		return nil, err
	}
	byID, err := iv.Store.GroupsByIDs(ctx, inv.GroupIDs)
	if err != nil {
		return nil, err
	}
	v := &InvitationView{Invitation: inv, State: model.InvitationPending, Link: iv.link(inv), InvitedBy: inviter}
	for _, id := range inv.GroupIDs {
		if g := byID[id]; g != nil && g.Local() && !g.Archived() {
			v.Groups = append(v.Groups, g)
		}
	}
	sortGroups(v.Groups)
	return v, nil
}

// Accept uses an invitation link: it creates a local guest account with the invitation's
// email, lasting the invitation's days, makes it an active member of each of its groups
// that still exists and is not archived (the invitation is the approval, secret groups
// included), and marks the invitation used, all in one transaction. A link is used once:
// of two concurrent uses one gets ErrInvitationGone.
func (iv *Invitations) Accept(ctx context.Context, token string, in AcceptInput) (*Accepted, error) {
	inv, err := iv.pending(ctx, token, in.IP)
	if err != nil {
		return nil, err
	}
	p := problems{}
	username := strings.ToLower(strings.TrimSpace(in.Username))
	if !usernamePattern.MatchString(username) {
		p.add("username", "error.username.invalid")
	}
	checkPassword(p, "password", in.Password)
	name := strings.TrimSpace(in.DisplayName)
	if utf8.RuneCountInString(name) > 100 {
		p.add("display_name", "error.too_long")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	// The expensive parts happen before the transaction, which stays short.
	hash, err := argon2id.CreateHash(in.Password, iv.PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	pub, priv, err := iv.keyPair()
	if err != nil {
		return nil, err
	}
	out := &Accepted{}
	err = iv.Store.InTx(ctx, func(tx *storage.Store) error {
		now := iv.now()
		// Claimed first: a concurrent use of the link waits here and then finds it used.
		claimed, err := tx.ClaimGuestInvitation(ctx, inv.ID, now)
		if err != nil {
			return err
		}
		if !claimed {
			return fmt.Errorf("invitation %s: %w", inv.ID, ErrInvitationGone)
		}
		expires := now.Add(time.Duration(inv.GuestDays) * 24 * time.Hour)
		acct := &model.Account{
			ID: iv.newID(), Username: username, URI: iv.URIs.Actor(username),
			InboxURI: iv.URIs.Inbox(username), SharedInboxURI: iv.URIs.SharedInbox(),
			Role: model.RoleGuest, Email: inv.Email, PasswordHash: hash, DisplayName: name,
			Site: iv.SiteName, PublicKeyPEM: pub, PrivateKeyPEM: priv, ExpiresAt: &expires,
			CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		byID, err := tx.GroupsByIDs(ctx, inv.GroupIDs)
		if err != nil {
			return err
		}
		for _, id := range inv.GroupIDs {
			grp := byID[id]
			if grp == nil || !grp.Local() || grp.Archived() {
				continue
			}
			m := &model.Membership{GroupID: grp.ID, AccountID: acct.ID, Role: model.GroupMember,
				State: model.MemberActive, InvitedByID: &inv.InvitedByID, CreatedAt: now, UpdatedAt: now}
			if err := tx.SaveMembership(ctx, m); err != nil {
				return err
			}
			out.Groups = append(out.Groups, grp)
		}
		out.Account = acct
		return tx.SetGuestInvitationAccount(ctx, inv.ID, acct.ID)
	})
	if errors.Is(err, storage.ErrConflict) {
		if _, uerr := iv.Store.LocalAccountByUsername(ctx, username); uerr == nil {
			return nil, &ValidationError{Fields: map[string]string{"username": "error.username.taken"}}
		}
		return nil, &ValidationError{Fields: map[string]string{"email": "error.invitation.email_taken"}}
	}
	if err != nil {
		return nil, err
	}
	sortGroups(out.Groups)
	iv.Log.InfoContext(ctx, "guest account created", "invitation", inv.ID, "username", username,
		"groups", len(out.Groups), "expires", out.Account.ExpiresAt)
	return out, nil
}

// uniqueNonEmpty returns the distinct non-empty strings of list, in their first order.
func uniqueNonEmpty(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func sortGroups(list []*model.Group) {
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
}
