package model

import (
	"time"

	"github.com/uptrace/bun"
)

// GroupKind decides who may see and join a group.
type GroupKind string

// Group kinds.
const (
	// GroupOpen is visible, and anyone in the company joins at once.
	GroupOpen GroupKind = "open"
	// GroupClosed is visible; joining needs a moderator's approval.
	GroupClosed GroupKind = "closed"
	// GroupSecret is invisible to non-members; people join by invitation only.
	GroupSecret GroupKind = "secret"
)

// Valid reports whether k is a known kind.
func (k GroupKind) Valid() bool { return k == GroupOpen || k == GroupClosed || k == GroupSecret }

// AudienceGroup is the audience of posts in a group: its members only.
const AudienceGroup Audience = "group"

// Group is a group or community. It lives on its home node (Domain "" here) and is an
// ActivityPub Group actor there; other nodes keep a cached copy (Domain = host:port).
type Group struct {
	bun.BaseModel `bun:"table:groups,alias:grp"`

	ID string `bun:"id,pk"`
	// Name is the handle, unique per node: lower-case letters, digits and _.
	Name   string `bun:"name,notnull"`
	Domain string `bun:"domain,notnull"`
	// URI is the Group actor id.
	URI            string    `bun:"uri,notnull,unique"`
	InboxURI       string    `bun:"inbox_uri,notnull"`
	SharedInboxURI string    `bun:"shared_inbox_uri,notnull"`
	DisplayName    string    `bun:"display_name,notnull"`
	Kind           GroupKind `bun:"kind,notnull"`
	// SiteOnly keeps the group to its home node's users.
	SiteOnly bool `bun:"site_only,notnull"`
	// PreModeration holds members' posts until a moderator approves them.
	PreModeration     bool   `bun:"pre_moderation,notnull"`
	DescriptionSource string `bun:"description_source,notnull"`
	DescriptionHTML   string `bun:"description_html,notnull"`
	AvatarFile        string `bun:"avatar_file,notnull"`
	BannerFile        string `bun:"banner_file,notnull"`
	PublicKeyPEM      string `bun:"public_key_pem,notnull"`
	PrivateKeyPEM     string `bun:"private_key_pem,notnull"`

	// AvatarSourceURL and BannerSourceURL are where a remote group's pictures were
	// fetched from; empty for local groups and for pictures not fetched.
	AvatarSourceURL string `bun:"avatar_source_url,notnull"`
	BannerSourceURL string `bun:"banner_source_url,notnull"`

	// ArchivedAt freezes the group: readable by members, no new posts or members.
	ArchivedAt *time.Time `bun:"archived_at"`
	FetchedAt  *time.Time `bun:"fetched_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull"`
}

// Local reports whether the group's home is this node.
func (g *Group) Local() bool { return g.Domain == "" }

// Archived reports whether the group is archived.
func (g *Group) Archived() bool { return g.ArchivedAt != nil }

// GroupRole is a member's role in a group.
type GroupRole string

// Group roles.
const (
	GroupOwner     GroupRole = "owner"
	GroupModerator GroupRole = "moderator"
	GroupMember    GroupRole = "member"
)

// Valid reports whether r is a known role.
func (r GroupRole) Valid() bool { return r == GroupOwner || r == GroupModerator || r == GroupMember }

// Moderates reports whether the role may moderate (owner or moderator).
func (r GroupRole) Moderates() bool { return r == GroupOwner || r == GroupModerator }

// MemberState is where a membership stands.
type MemberState string

// Membership states.
const (
	// MemberActive sees and posts in the group.
	MemberActive MemberState = "active"
	// MemberRequested asked to join a closed group and waits for a moderator.
	MemberRequested MemberState = "requested"
	// MemberInvited was invited and has not accepted yet.
	MemberInvited MemberState = "invited"
	// MemberBanned may not join again.
	MemberBanned MemberState = "banned"
)

// Membership links an account, local or remote, to a group.
type Membership struct {
	bun.BaseModel `bun:"table:group_members,alias:gm"`

	GroupID   string      `bun:"group_id,pk"`
	AccountID string      `bun:"account_id,pk"`
	Role      GroupRole   `bun:"role,notnull"`
	State     MemberState `bun:"state,notnull"`
	// FollowURI is the Follow activity of a remote member's join, answered by Accept.
	FollowURI   string    `bun:"follow_uri,notnull"`
	InvitedByID *string   `bun:"invited_by_id"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
}

// PostState says whether a post is shown.
type PostState string

// Post states; only group posts under pre-moderation are ever pending.
const (
	PostPublished PostState = "published"
	PostPending   PostState = "pending"
)

// GroupPin pins a post to the top of its group.
type GroupPin struct {
	GroupID  string    `bun:"group_id,pk"`
	PostID   string    `bun:"post_id,pk"`
	PinnedAt time.Time `bun:"pinned_at,notnull"`
	PinnedBy string    `bun:"pinned_by,notnull"`
}
