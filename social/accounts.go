package social

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Accounts creates and administers local accounts.
type Accounts struct{ *core }

// NewAccount is the input for creating a local account.
type NewAccount struct {
	Username, Email, Password, DisplayName string
	Role                                   model.Role
}

// usernamePattern keeps usernames safe in URLs, WebFinger handles and mentions.
var usernamePattern = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// Password length limits; the upper one bounds hashing work per request.
const (
	minPasswordLen = 10
	maxPasswordLen = 256
)

// Create validates the input and stores a new local account with its key pair.
func (a *Accounts) Create(ctx context.Context, in NewAccount) (*model.Account, error) {
	p := problems{}
	username := strings.ToLower(strings.TrimSpace(in.Username))
	if !usernamePattern.MatchString(username) {
		p.add("username", "error.username.invalid")
	}
	email, ok := normalizeEmail(in.Email)
	if !ok {
		p.add("email", "error.email.invalid")
	}
	checkPassword(p, "password", in.Password)
	if in.Role == "" {
		in.Role = model.RoleMember
	}
	if !in.Role.Valid() {
		p.add("role", "error.role.invalid")
	}
	name := strings.TrimSpace(in.DisplayName)
	if utf8.RuneCountInString(name) > 100 {
		p.add("display_name", "error.too_long")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	hash, err := argon2id.CreateHash(in.Password, a.PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	pub, priv, err := a.keyPair()
	if err != nil {
		return nil, err
	}
	now := a.now()
	acct := &model.Account{
		ID: a.newID(), Username: username, URI: a.URIs.Actor(username),
		InboxURI: a.URIs.Inbox(username), SharedInboxURI: a.URIs.SharedInbox(),
		Role: in.Role, Email: email, PasswordHash: hash, DisplayName: name, Site: a.SiteName,
		PublicKeyPEM: pub, PrivateKeyPEM: priv, CreatedAt: now, UpdatedAt: now,
	}
	if err := a.Store.CreateAccount(ctx, acct); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, a.conflict(ctx, username)
		}
		return nil, err
	}
	a.Log.InfoContext(ctx, "account created", "username", username, "role", in.Role)
	return acct, nil
}

// conflict tells which unique field was taken.
func (a *Accounts) conflict(ctx context.Context, username string) error {
	if _, err := a.Store.LocalAccountByUsername(ctx, username); err == nil {
		return &ValidationError{Fields: map[string]string{"username": "error.username.taken"}}
	}
	return &ValidationError{Fields: map[string]string{"email": "error.email.taken"}}
}

func normalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return "", false
	}
	return strings.ToLower(s), true
}

func checkPassword(p problems, field, pw string) {
	switch n := utf8.RuneCountInString(pw); {
	case n < minPasswordLen:
		p.add(field, "error.password.short")
	case len(pw) > maxPasswordLen:
		p.add(field, "error.password.long")
	}
}

// AdminExists reports whether the node has an active admin (the setup link is offered
// only while it has none).
func (a *Accounts) AdminExists(ctx context.Context) (bool, error) {
	n, err := a.Store.CountActiveAdmins(ctx)
	return n > 0, err
}

// ByID returns an account by id.
func (a *Accounts) ByID(ctx context.Context, id string) (*model.Account, error) {
	return a.Store.Account(ctx, id)
}

// ByUsername returns a local account by username.
func (a *Accounts) ByUsername(ctx context.Context, username string) (*model.Account, error) {
	return a.Store.LocalAccountByUsername(ctx, strings.ToLower(username))
}

// AccountQuery selects a page of the people list.
type AccountQuery struct {
	Text  string
	After string
	Limit int
	// IncludeDeactivated is honoured for admins only.
	IncludeDeactivated bool
}

// AccountPage is one page of accounts and the cursor of the next ("" at the end).
type AccountPage struct {
	Accounts []*model.Account
	Next     string
}

// List returns people ordered by username. The cursor is the last username, with
// "@domain" for a remote account, because remote accounts may share a local username.
func (a *Accounts) List(ctx context.Context, viewer *model.Account, q AccountQuery) (*AccountPage, error) {
	if viewer.IsGuest() {
		return nil, ErrForbidden // guests find people through their groups only
	}
	limit := clampLimit(q.Limit, 30, 100)
	if len(q.Text) > 100 {
		return nil, &ValidationError{Fields: map[string]string{"q": "error.too_long"}}
	}
	after, afterDomain, _ := strings.Cut(q.After, "@")
	list, err := a.Store.ListAccounts(ctx, storage.AccountFilter{
		Text: q.Text, After: after, AfterDomain: afterDomain, Limit: limit + 1,
		IncludeDeactivated: q.IncludeDeactivated && viewer.IsAdmin(),
	})
	if err != nil {
		return nil, err
	}
	page := &AccountPage{Accounts: list}
	if len(list) > limit {
		page.Accounts = list[:limit]
		last := list[limit-1]
		page.Next = last.Username
		if !last.Local() {
			page.Next += "@" + last.Domain
		}
	}
	return page, nil
}

// SetRole changes an account's role. Only admins may, and the last admin stays one.
func (a *Accounts) SetRole(ctx context.Context, actor *model.Account, id string, role model.Role) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	if !role.Valid() {
		return &ValidationError{Fields: map[string]string{"role": "error.role.invalid"}}
	}
	return a.Store.InTx(ctx, func(tx *storage.Store) error {
		target, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		if !target.Local() {
			return ErrForbidden
		}
		if target.Role == model.RoleAdmin && role != model.RoleAdmin && target.Active() {
			n, err := tx.CountActiveAdmins(ctx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return &ValidationError{Fields: map[string]string{"role": "error.role.last_admin"}}
			}
		}
		wasGuest := target.IsGuest()
		target.Role, target.UpdatedAt = role, a.now()
		cols := []string{"role", "updated_at"}
		if role != model.RoleGuest && target.ExpiresAt != nil {
			// Only guests end; a guest made a member stays, and one that had ended is back.
			if guestEnded(target) {
				target.DeactivatedAt, cols = nil, append(cols, "deactivated_at")
			}
			target.ExpiresAt, cols = nil, append(cols, "expires_at")
		}
		if err := tx.UpdateAccount(ctx, target, cols...); err != nil {
			return err
		}
		a.Log.InfoContext(ctx, "role changed", "by", actor.Username, "account", target.Username, "role", role)
		if wasGuest == target.IsGuest() {
			return nil
		}
		// Other nodes scope guests too: they learn the change from the actor.
		return a.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdateProfile, Actor: target})
	})
}

// SetActive deactivates or reactivates an account. Deactivation ends its sessions and
// revokes its tokens at once; admins cannot deactivate themselves.
func (a *Accounts) SetActive(ctx context.Context, actor *model.Account, id string, active bool) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	if actor.ID == id && !active {
		return &ValidationError{Fields: map[string]string{"account": "error.account.self_deactivate"}}
	}
	return a.Store.InTx(ctx, func(tx *storage.Store) error {
		target, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		if !target.Local() {
			return ErrForbidden
		}
		now := a.now()
		if !active {
			if !target.Active() {
				return nil
			}
			a.Log.InfoContext(ctx, "account deactivated", "by", actor.Username, "account", target.Username)
			target.UpdatedAt = now
			if err := a.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityDeleteActor, Actor: target}); err != nil {
				return err
			}
			return tx.DeactivateAccount(ctx, id, now)
		}
		target.DeactivatedAt, target.UpdatedAt = nil, now
		a.Log.InfoContext(ctx, "account reactivated", "by", actor.Username, "account", target.Username)
		if err := tx.UpdateAccount(ctx, target, "deactivated_at", "updated_at"); err != nil {
			return err
		}
		if !target.IsGuest() || !target.ActiveAt(now) {
			return nil
		}
		// Other nodes ended the guest when it was deactivated; its Update brings it back.
		return a.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdateProfile, Actor: target})
	})
}

func clampLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}
