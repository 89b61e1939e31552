package activitypub

// A group's moderators may reject a member's pending post. The member's node holds the
// post pending until the group decides, so the group tells it with Reject{Create}: the
// member's Create of the Note, named by id, actor and object IRI (the Note itself is not
// sent back).

import (
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// RejectPostID is the id of the Reject, by the group at groupURI, of the post noteURI.
func RejectPostID(groupURI, noteURI string) string {
	return RejectID(groupURI, CreateID(noteURI))
}

// NewGroupRejectPost builds Reject{Create} by the group at groupURI: its moderators
// rejected the pending post noteURI of authorURI, who is addressed.
func NewGroupRejectPost(groupURI, authorURI, noteURI string) (vocab.ActivityStreamsReject, error) {
	group, err := ParseIRI(groupURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reject post: group: %w", err)
	}
	author, err := ParseIRI(authorURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reject post: author: %w", err)
	}
	note, err := sameOriginIRI(authorURI, noteURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reject post: note: %w", err)
	}
	create := streams.NewActivityStreamsCreate()
	create.SetJSONLDId(idProp(mustIRI(CreateID(note.String()))))
	create.SetActivityStreamsActor(actorProp(author))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(note)
	create.SetActivityStreamsObject(obj)

	a := streams.NewActivityStreamsReject()
	a.SetJSONLDId(idProp(mustIRI(RejectPostID(group.String(), note.String()))))
	a.SetActivityStreamsActor(actorProp(group))
	outer := streams.NewActivityStreamsObjectProperty()
	outer.AppendActivityStreamsCreate(create)
	a.SetActivityStreamsObject(outer)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(author)
	a.SetActivityStreamsTo(to)
	return a, nil
}

// RejectedPost is what a Reject{Create} names: the post and its author.
type RejectedPost struct {
	// AuthorURI is the actor of the rejected Create; NoteURI its object, on the author's
	// node (ParseActivity checked both origins).
	AuthorURI, NoteURI string
}

// RejectedPostOf returns the post a Reject{Create} rejects; nil for any other activity,
// such as the Reject{Follow} that answers a join.
func RejectedPostOf(act *RemoteActivity) *RejectedPost {
	if act == nil || act.Type != TypeReject || act.Object == nil || act.Object.Type != TypeCreate {
		return nil
	}
	inner := act.Object
	if inner.ObjectID == "" || inner.ActorURI == "" {
		return nil
	}
	return &RejectedPost{AuthorURI: inner.ActorURI, NoteURI: inner.ObjectID}
}
