package social

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// ActivityKind names what happened, in the terms of ActivityPub.
type ActivityKind string

// The activities the rules hand to federation.
const (
	// ActivityCreate publishes a new post or comment (Post).
	ActivityCreate ActivityKind = "Create"
	// ActivityUpdate publishes an edited post or comment (Post).
	ActivityUpdate ActivityKind = "Update"
	// ActivityDelete retracts a post or comment (Post, already deleted locally).
	ActivityDelete ActivityKind = "Delete"
	// ActivityFollow asks a remote account (Object) to accept Follow.
	ActivityFollow ActivityKind = "Follow"
	// ActivityUndoFollow withdraws Follow.
	ActivityUndoFollow ActivityKind = "UndoFollow"
	// ActivityAccept accepts a remote Follow of a local account.
	ActivityAccept ActivityKind = "Accept"
	// ActivityReject refuses a remote Follow of a local account.
	ActivityReject ActivityKind = "Reject"
	// ActivityReact is a Like (kind "like") or an emoji reaction (Reaction) on Post.
	ActivityReact ActivityKind = "React"
	// ActivityUndoReact withdraws Reaction.
	ActivityUndoReact ActivityKind = "UndoReact"
	// ActivityUpdateProfile publishes Actor's changed profile.
	ActivityUpdateProfile ActivityKind = "UpdateProfile"
	// ActivityDeleteActor tells other nodes that Actor was deactivated: they take the
	// person out of their directories at once rather than at their next read.
	ActivityDeleteActor ActivityKind = "DeleteActor"
	// ActivityJoinGroup asks the remote Group to let Actor in: Follow{Group}, whose id is
	// Membership.FollowURI.
	ActivityJoinGroup ActivityKind = "JoinGroup"
	// ActivityLeaveGroup withdraws Actor's join of the remote Group: Undo{Follow}.
	ActivityLeaveGroup ActivityKind = "LeaveGroup"
	// ActivityGroupAccept is the local Group letting the remote account Object in
	// (Accept of Membership.FollowURI), signed by the group; Actor is nil.
	ActivityGroupAccept ActivityKind = "GroupAccept"
	// ActivityGroupReject is the local Group refusing or removing the remote account
	// Object (Reject of Membership.FollowURI), signed by the group; Actor is nil.
	ActivityGroupReject ActivityKind = "GroupReject"
	// ActivityGroupAnnounce is the local Group relaying the Create of Post (by a remote
	// member) to its other members' nodes; Actor is nil.
	ActivityGroupAnnounce ActivityKind = "GroupAnnounce"
	// ActivityGroupAnnounceDelete relays the Delete of Post (by a remote member, already
	// deleted here) the same way; Actor is nil.
	ActivityGroupAnnounceDelete ActivityKind = "GroupAnnounceDelete"
)

// ByGroup reports whether the kind is the Group actor's own, signed with its key.
func (k ActivityKind) ByGroup() bool {
	switch k {
	case ActivityGroupAccept, ActivityGroupReject, ActivityGroupAnnounce, ActivityGroupAnnounceDelete,
		ActivityGroupAnnounceUpdate, ActivityGroupAnnounceReact, ActivityGroupAnnounceUndoReact,
		ActivityGroupAnnounceApproved, ActivityGroupRejectPost, ActivityGroupInvite, ActivityGroupInviteUndo,
		ActivityGroupUpdate:
		return true
	}
	return false
}

// Activity is one change for federation to deliver. Actor is a local account, except
// for the kinds a local Group does itself (ByGroup); the other fields are set as the
// kind says.
type Activity struct {
	Kind  ActivityKind
	Actor *model.Account
	// Post is the post or comment concerned, with its audience; Parent is the post a
	// comment answers (nil for top-level posts).
	Post   *model.Post
	Parent *model.Post
	// Follow is the follow relation concerned; Object the other account in it.
	Follow *model.Follow
	Object *model.Account
	// Reaction is the reaction concerned (its URI is the activity id).
	Reaction *model.Reaction
	// Group is the group concerned by the group kinds; Membership the member's (its
	// FollowURI is the join's Follow id).
	Group      *model.Group
	Membership *model.Membership
}

// Outbox turns activities into deliveries. Enqueue runs inside the transaction of the
// change, with tx, so the change and its deliveries commit or fail together; it decides
// the receiving nodes (audience, followers, allowed peers) and never sends anything
// itself. Package federation implements it; the rules never import federation.
type Outbox interface {
	Enqueue(ctx context.Context, tx *storage.Store, a Activity) error
}

// noOutbox is the outbox of a node without federation (and of most tests).
type noOutbox struct{}

func (noOutbox) Enqueue(context.Context, *storage.Store, Activity) error { return nil }

// Resolver finds accounts on other nodes by handle ("user@host:port"), fetching and
// caching them. Package federation implements it (WebFinger plus a signed fetch).
type Resolver interface {
	ResolveAccount(ctx context.Context, handle string) (*model.Account, error)
}

// noResolver is the resolver of a node without federation: no remote account exists.
type noResolver struct{}

func (noResolver) ResolveAccount(context.Context, string) (*model.Account, error) {
	return nil, ErrNotFound
}

func (noResolver) ResolveGroup(context.Context, string) (*model.Group, error) {
	return nil, ErrNotFound
}

func (noResolver) RefreshGroups(context.Context, string) (int, error) { return 0, nil }

// GroupResolver finds groups on other nodes, fetching and caching their Group actors.
// Package federation implements it (WebFinger plus a signed fetch).
type GroupResolver interface {
	// ResolveGroup finds a group by handle ("name@host:port").
	ResolveGroup(ctx context.Context, handle string) (*model.Group, error)
	// RefreshGroups caches the groups a sibling node lists (origin "" means every
	// sibling) and returns how many it read.
	RefreshGroups(ctx context.Context, origin string) (int, error)
}
