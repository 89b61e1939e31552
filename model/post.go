package model

import "time"

// Audience says who may see a post and so where federation delivers it.
type Audience string

// Audiences. Atrium never addresses as:Public.
const (
	// AudienceSite never leaves the node.
	AudienceSite Audience = "site"
	// AudienceCompany reaches every sibling node.
	AudienceCompany Audience = "company"
	// AudienceFollowers reaches the author's followers only.
	AudienceFollowers Audience = "followers"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceSite || a == AudienceCompany || a == AudienceFollowers
}

// Post is a post or, when InReplyToID is set, a comment.
type Post struct {
	ID  string `bun:"id,pk"`
	URI string `bun:"uri,notnull,unique"`
	// AccountID is the author.
	AccountID string `bun:"account_id,notnull"`
	// InReplyToID is the post this comment answers; RootID the top of its thread.
	InReplyToID *string  `bun:"in_reply_to_id"`
	RootID      *string  `bun:"root_id"`
	Audience    Audience `bun:"audience,notnull"`
	// GroupID is the group of a post with the group audience (and of its comments).
	GroupID *string `bun:"group_id"`
	// State is published, or pending while a group moderator has not approved it.
	State PostState `bun:"state,notnull,default:'published'"`
	// Source is the Markdown as typed; HTML the sanitized rendering shown to readers.
	Source    string     `bun:"source,notnull"`
	HTML      string     `bun:"html,notnull"`
	Local     bool       `bun:"local,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UpdatedAt time.Time  `bun:"updated_at,notnull"`
	EditedAt  *time.Time `bun:"edited_at"`

	// Author is the post's author when read with it (the home timeline's query) or set
	// by the caller.
	Author *Account `bun:"rel:belongs-to,join:account_id=id"`
}

// PostEdit keeps an earlier version of an edited post.
type PostEdit struct {
	ID       string    `bun:"id,pk"`
	PostID   string    `bun:"post_id,notnull"`
	Source   string    `bun:"source,notnull"`
	HTML     string    `bun:"html,notnull"`
	EditedAt time.Time `bun:"edited_at,notnull"`
}

// Reaction is a like or one of the fixed emoji reactions on a post.
type Reaction struct {
	PostID    string    `bun:"post_id,pk"`
	AccountID string    `bun:"account_id,pk"`
	Kind      string    `bun:"kind,pk"`
	URI       string    `bun:"uri,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// ReactionLike is the plain like; the others are emoji.
const ReactionLike = "like"

// ReactionKinds is the fixed set of reactions, in display order, with their emoji.
var ReactionKinds = []struct{ Kind, Emoji string }{
	{ReactionLike, "👍"},
	{"love", "❤️"},
	{"celebrate", "🎉"},
	{"insightful", "💡"},
	{"funny", "😄"},
	{"sad", "😢"},
}

// ValidReaction reports whether kind is in ReactionKinds.
func ValidReaction(kind string) bool {
	for _, k := range ReactionKinds {
		if k.Kind == kind {
			return true
		}
	}
	return false
}

// Mention links a post to an account it names.
type Mention struct {
	PostID    string `bun:"post_id,pk"`
	AccountID string `bun:"account_id,pk"`
}

// PostTag links a post to a hashtag (lower-cased, without '#').
type PostTag struct {
	PostID string `bun:"post_id,pk"`
	Tag    string `bun:"tag,pk"`
}

// Follow is a follow relation; Accepted is false while a remote node has not answered.
type Follow struct {
	FollowerID string    `bun:"follower_id,pk"`
	FolloweeID string    `bun:"followee_id,pk"`
	URI        string    `bun:"uri,notnull"`
	Accepted   bool      `bun:"accepted,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}
