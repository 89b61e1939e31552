package activitypub

// Group activities (FEP-1b12): a member's node joins a Group actor with Follow and
// leaves with Undo{Follow}; the group answers with Accept or Reject (also to remove a
// member) and relays its members' posts as Announce{Create} and Announce{Delete}.

import (
	"errors"
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// TypeAnnounce is a group relaying an activity of one of its members.
const TypeAnnounce = "Announce"

// AnnounceID is the id of the Announce, by group, of the activity innerID.
func AnnounceID(groupURI, innerID string) string {
	return groupURI + "#announces/" + shortHash(innerID)
}

// NewJoin builds the Follow by which a member (memberURI) asks to join the group at
// groupURI; followURI is its id, on the member's node.
func NewJoin(followURI, memberURI, groupURI string) (vocab.ActivityStreamsFollow, error) {
	id, err := sameOriginIRI(memberURI, followURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: join: id: %w", err)
	}
	actor, err := ParseIRI(memberURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: join: actor: %w", err)
	}
	group, err := ParseIRI(groupURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: join: group: %w", err)
	}
	a := streams.NewActivityStreamsFollow()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(group)
	a.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(group)
	a.SetActivityStreamsTo(to)
	return a, nil
}

// NewLeave builds Undo{Follow} by which a member leaves the group.
func NewLeave(followURI, memberURI, groupURI string) (vocab.ActivityStreamsUndo, error) {
	follow, err := NewJoin(followURI, memberURI, groupURI)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsUndo(), UndoID(followURI), memberURI, groupURI, follow), nil
}

// NewGroupAccept builds Accept{Follow} by the group: the member is in.
func NewGroupAccept(groupURI, followURI, memberURI string) (vocab.ActivityStreamsAccept, error) {
	follow, err := groupFollow(groupURI, followURI, memberURI)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsAccept(), AcceptID(groupURI, followURI), groupURI, memberURI, follow), nil
}

// NewGroupReject builds Reject{Follow} by the group: the request is refused, or the
// member removed.
func NewGroupReject(groupURI, followURI, memberURI string) (vocab.ActivityStreamsReject, error) {
	follow, err := groupFollow(groupURI, followURI, memberURI)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsReject(), RejectID(groupURI, followURI), groupURI, memberURI, follow), nil
}

// groupFollow rebuilds a member's Follow of the group, as Accept and Reject embed it.
func groupFollow(groupURI, followURI, memberURI string) (vocab.ActivityStreamsFollow, error) {
	if _, err := ParseIRI(groupURI); err != nil {
		return nil, fmt.Errorf("activitypub: group answer: group: %w", err)
	}
	if _, err := ParseIRI(followURI); err != nil {
		return nil, fmt.Errorf("activitypub: group answer: follow: %w", err)
	}
	return NewJoin(followURI, memberURI, groupURI)
}

// NewAnnounce builds Announce{inner} by the group at groupURI, addressed to its members
// (its followers collection). inner is a member's Create or Delete.
func NewAnnounce(groupURI string, inner vocab.Type) (vocab.ActivityStreamsAnnounce, error) {
	innerID, err := ActivityID(inner)
	if err != nil {
		return nil, err
	}
	group, err := ParseIRI(groupURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: announce: group: %w", err)
	}
	a := streams.NewActivityStreamsAnnounce()
	a.SetJSONLDId(idProp(mustIRI(AnnounceID(groupURI, innerID))))
	a.SetActivityStreamsActor(actorProp(group))
	obj := streams.NewActivityStreamsObjectProperty()
	if err := obj.AppendType(inner); err != nil {
		return nil, fmt.Errorf("activitypub: announce: %w", err)
	}
	a.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(mustIRI(GroupMembersURI(groupURI)))
	a.SetActivityStreamsTo(to)
	return a, nil
}

// groupAudienceOf returns the Group a note names as its audience, which must also be
// among its to; "" when the note has no audience.
func groupAudienceOf(aud vocab.ActivityStreamsAudienceProperty, to []string) (string, error) {
	if aud == nil || aud.Len() == 0 {
		return "", nil
	}
	if aud.Len() > 1 || !aud.At(0).IsIRI() {
		return "", fmt.Errorf("%w: audience must be one group", ErrInvalid)
	}
	g := aud.At(0).GetIRI().String()
	if _, err := ParseIRI(g); err != nil {
		return "", fmt.Errorf("%w: audience: %v", ErrInvalid, err)
	}
	for _, t := range to {
		if t == g {
			return g, nil
		}
	}
	return "", errors.New("activitypub: the audience group is not addressed")
}
