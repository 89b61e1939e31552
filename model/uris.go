package model

import "strings"

// URIs builds the ActivityPub identifiers of a node's local objects from its base URL.
// The base URL (scheme, host, port) is the node's identity.
type URIs struct {
	Base string
}

// NewURIs returns URIs for base with any trailing slash removed.
func NewURIs(base string) URIs { return URIs{Base: strings.TrimRight(base, "/")} }

// Actor is the Person actor of a local user.
func (u URIs) Actor(username string) string { return u.Base + "/users/" + username }

// Inbox is a local user's inbox.
func (u URIs) Inbox(username string) string { return u.Actor(username) + "/inbox" }

// SharedInbox is the node's shared inbox.
func (u URIs) SharedInbox() string { return u.Base + "/inbox" }

// Post is the Note of a local post or comment.
func (u URIs) Post(id string) string { return u.Base + "/posts/" + id }

// Follow is the id of a Follow activity sent by follower.
func (u URIs) Follow(followerUsername, followID string) string {
	return u.Actor(followerUsername) + "/follows/" + followID
}

// Reaction is the id of a Like/EmojiReact activity.
func (u URIs) Reaction(id string) string { return u.Base + "/reactions/" + id }

// Company is the collection addressing every sibling node (the company audience).
func (u URIs) Company() string { return u.Base + "/company" }

// Group is the Group actor of a local group.
func (u URIs) Group(name string) string { return u.Base + "/groups/" + name }

// GroupInbox is a local group's inbox.
func (u URIs) GroupInbox(name string) string { return u.Group(name) + "/inbox" }
