// Package model holds the bun-tagged structs shared by every layer.
package model

import "time"

// Role decides what an account may do on its node.
type Role string

// Roles. Guests are scoped to what they were invited to (rules come with the guest issue).
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleGuest  Role = "guest"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleMember || r == RoleGuest
}

// Account is a person: a local user (Domain == "") or a cached remote actor.
type Account struct {
	ID       string `bun:"id,pk"`
	Username string `bun:"username,notnull"`
	// Domain is the remote node's host:port; empty for local accounts.
	Domain string `bun:"domain,notnull"`
	// URI is the ActivityPub actor id, the account's identity across nodes.
	URI            string `bun:"uri,notnull,unique"`
	InboxURI       string `bun:"inbox_uri,notnull"`
	SharedInboxURI string `bun:"shared_inbox_uri,notnull"`
	// FollowersURI is a remote actor's followers collection; local ones derive theirs.
	FollowersURI string `bun:"followers_uri,notnull"`
	// FetchedAt is when a remote actor was last fetched; nil for local accounts.
	FetchedAt    *time.Time `bun:"fetched_at"`
	Role         Role       `bun:"role,notnull"`
	Email        string     `bun:"email,notnull"`
	PasswordHash string     `bun:"password_hash,notnull"`

	DisplayName string `bun:"display_name,notnull"`
	JobTitle    string `bun:"job_title,notnull"`
	Department  string `bun:"department,notnull"`
	Site        string `bun:"site,notnull"`
	Phone       string `bun:"phone,notnull"`
	// ManagerID points at another account, local or remote.
	ManagerID *string `bun:"manager_id"`
	// AboutSource is the Markdown the user typed; AboutHTML its sanitized rendering.
	AboutSource string `bun:"about_source,notnull"`
	AboutHTML   string `bun:"about_html,notnull"`
	// AvatarFile names the re-encoded image under the data directory; empty for none.
	AvatarFile string `bun:"avatar_file,notnull"`
	// AvatarSourceURL is where a remote account's avatar was fetched from; empty for
	// local accounts and for remote ones without a fetched picture.
	AvatarSourceURL string `bun:"avatar_source_url,notnull"`

	PublicKeyPEM  string `bun:"public_key_pem,notnull"`
	PrivateKeyPEM string `bun:"private_key_pem,notnull"`

	DeactivatedAt *time.Time `bun:"deactivated_at"`
	// ExpiresAt ends a guest account: a local guest's from its invitation (extended or
	// cut short by admins), a remote guest's from atrium:guestExpires. Nil: no end.
	ExpiresAt *time.Time `bun:"expires_at"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UpdatedAt time.Time  `bun:"updated_at,notnull"`

	Skills  []string `bun:"-"`
	Manager *Account `bun:"-"`
}

// Local reports whether the account lives on this node.
func (a *Account) Local() bool { return a.Domain == "" }

// Active reports whether the account may log in and act, as far as deactivation goes;
// ActiveAt also honours a guest's expiry.
func (a *Account) Active() bool { return a.DeactivatedAt == nil }

// ActiveAt reports whether the account may log in and act at now: not deactivated and,
// for guests with an expiry, not expired.
func (a *Account) ActiveAt(now time.Time) bool {
	return a.DeactivatedAt == nil && (a.ExpiresAt == nil || now.Before(*a.ExpiresAt))
}

// Handle is @user for local accounts and @user@host:port for remote ones.
func (a *Account) Handle() string {
	if a.Domain == "" {
		return "@" + a.Username
	}
	return "@" + a.Username + "@" + a.Domain
}

// Name is the display name, falling back to the username.
func (a *Account) Name() string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

// IsGuest reports whether the account is a guest, limited to what it was invited to.
func (a *Account) IsGuest() bool { return a.Role == RoleGuest }

// IsAdmin reports whether the account administers the node.
func (a *Account) IsAdmin() bool { return a.Role == RoleAdmin }

// Skill is one skill tag on a profile.
type Skill struct {
	AccountID string `bun:"account_id,pk"`
	Tag       string `bun:"tag,pk"`
}

// Session is a server-side login session; the cookie holds a secret whose hash is ID.
type Session struct {
	ID         string    `bun:"id,pk"`
	AccountID  string    `bun:"account_id,notnull"`
	CSRFToken  string    `bun:"csrf_token,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
	UserAgent  string    `bun:"user_agent,notnull"`
	IP         string    `bun:"ip,notnull"`
}

// Token is a personal access token for the JSON API; only its SHA-256 hash is stored.
type Token struct {
	ID         string     `bun:"id,pk"`
	AccountID  string     `bun:"account_id,notnull"`
	Name       string     `bun:"name,notnull"`
	Hash       string     `bun:"hash,notnull,unique"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`

	// Account is the token's owner, when read with it (storage.TokenByHash).
	Account *Account `bun:"rel:belongs-to,join:account_id=id"`
}
