package activitypub

// Group invitations across nodes. A group invites an account of another node with
// Invite{object: the group, target: the invitee}, by and signed by the group; it withdraws
// the invitation with Undo{Invite}. The invitee accepts with the usual Follow of the group
// and declines with Reject{Invite}, by and signed by the invitee.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// TypeInvite is a group inviting an account to join it.
const TypeInvite = "Invite"

// UndoInviteID is the id of the group's withdrawal of the invitation inviteID.
func UndoInviteID(inviteID string) string { return inviteID + "/undo" }

// DeclineInviteID is the id of the invitee's Reject of the invitation inviteID. The
// invitation's id is hashed because it is another node's IRI.
func DeclineInviteID(inviteeURI, inviteID string) string {
	return inviteeURI + "#declines/" + shortHash(inviteID)
}

// GroupInvite is an invitation as the builders take it and InviteOf reads it.
type GroupInvite struct {
	// ID is the Invite's id, on the group's node.
	ID string
	// GroupURI is the Group actor: the Invite's actor and its object.
	GroupURI string
	// InviteeURI is the invited account: the Invite's target, and its to.
	InviteeURI string
	// InviterURI is the member who invited (attributedTo), on the group's node; "" when
	// not named.
	InviterURI string
}

// NewGroupInvite builds the Invite by the group of the invitee, addressed to the invitee.
func NewGroupInvite(in GroupInvite) (vocab.ActivityStreamsInvite, error) {
	id, group, invitee, inviter, err := in.iris()
	if err != nil {
		return nil, fmt.Errorf("activitypub: invite: %w", err)
	}
	a := streams.NewActivityStreamsInvite()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(group))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(group)
	a.SetActivityStreamsObject(obj)
	target := streams.NewActivityStreamsTargetProperty()
	target.AppendIRI(invitee)
	a.SetActivityStreamsTarget(target)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(invitee)
	a.SetActivityStreamsTo(to)
	if inviter != "" {
		by := streams.NewActivityStreamsAttributedToProperty()
		by.AppendIRI(mustIRI(inviter))
		a.SetActivityStreamsAttributedTo(by)
	}
	return a, nil
}

// NewUndoGroupInvite builds Undo{Invite} by the group: the invitation is withdrawn.
func NewUndoGroupInvite(in GroupInvite) (vocab.ActivityStreamsUndo, error) {
	invite, err := NewGroupInvite(in)
	if err != nil {
		return nil, err
	}
	a := streams.NewActivityStreamsUndo()
	a.SetJSONLDId(idProp(mustIRI(UndoInviteID(in.ID))))
	a.SetActivityStreamsActor(actorProp(mustIRI(in.GroupURI)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsInvite(invite)
	a.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(mustIRI(in.InviteeURI))
	a.SetActivityStreamsTo(to)
	return a, nil
}

// NewDeclineGroupInvite builds Reject{Invite} by the invitee, addressed to the group: the
// invitation is declined.
func NewDeclineGroupInvite(in GroupInvite) (vocab.ActivityStreamsReject, error) {
	invite, err := NewGroupInvite(in)
	if err != nil {
		return nil, err
	}
	a := streams.NewActivityStreamsReject()
	a.SetJSONLDId(idProp(mustIRI(DeclineInviteID(in.InviteeURI, in.ID))))
	a.SetActivityStreamsActor(actorProp(mustIRI(in.InviteeURI)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsInvite(invite)
	a.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(mustIRI(in.GroupURI))
	a.SetActivityStreamsTo(to)
	return a, nil
}

// iris checks the invitation's IRIs: the id and the inviter on the group's node.
func (in GroupInvite) iris() (id, group, invitee *url.URL, inviter string, err error) {
	if group, err = ParseIRI(in.GroupURI); err != nil {
		return nil, nil, nil, "", fmt.Errorf("group: %w", err)
	}
	if id, err = sameOriginIRI(in.GroupURI, in.ID); err != nil {
		return nil, nil, nil, "", fmt.Errorf("id: %w", err)
	}
	if invitee, err = ParseIRI(in.InviteeURI); err != nil {
		return nil, nil, nil, "", fmt.Errorf("invitee: %w", err)
	}
	if in.InviterURI != "" {
		if _, err = sameOriginIRI(in.GroupURI, in.InviterURI); err != nil {
			return nil, nil, nil, "", fmt.Errorf("inviter: %w", err)
		}
	}
	return id, group, invitee, in.InviterURI, nil
}

// InviteOf reads the Invite in an activity document: the document itself, or the object
// of an Undo or Reject that embeds it. ParseActivity has checked the envelope; this
// checks the invitation: a group invites into itself only (object = actor), the id and
// the inviter are on the group's node, and there is exactly one target.
func InviteOf(b []byte) (*GroupInvite, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	var m map[string]interface{}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("%w: invite: not a JSON object", ErrInvalid)
	}
	if t, _ := m["type"].(string); t != TypeInvite {
		inner, ok := m["object"].(map[string]interface{})
		if !ok || (t != TypeUndo && t != TypeReject) {
			return nil, fmt.Errorf("%w: %q is no invitation", ErrUnexpectedType, t)
		}
		m = inner
	}
	if t, _ := m["type"].(string); t != TypeInvite {
		return nil, fmt.Errorf("%w: got %q, want Invite", ErrUnexpectedType, t)
	}
	iri := func(field string) (string, error) {
		v := m[field]
		if list, ok := v.([]interface{}); ok {
			if len(list) != 1 {
				return "", fmt.Errorf("%w: invite: %s must name one object", ErrInvalid, field)
			}
			v = list[0]
		}
		u, err := idOf(v)
		if err != nil {
			return "", fmt.Errorf("%w: invite: %s: %v", ErrInvalid, field, err)
		}
		return u.String(), nil
	}
	in := &GroupInvite{}
	var err error
	if in.ID, err = iri("id"); err != nil {
		return nil, err
	}
	if in.GroupURI, err = iri("actor"); err != nil {
		return nil, err
	}
	object, err := iri("object")
	if err != nil {
		return nil, err
	}
	if object != in.GroupURI {
		return nil, fmt.Errorf("%w: invite by %q into %q", ErrInvalid, in.GroupURI, object)
	}
	if in.InviteeURI, err = iri("target"); err != nil {
		return nil, err
	}
	if _, ok := m["attributedTo"]; ok {
		if in.InviterURI, err = iri("attributedTo"); err != nil {
			return nil, err
		}
	}
	if _, _, _, _, err := in.iris(); err != nil {
		return nil, fmt.Errorf("%w: invite: %v", ErrOriginMismatch, err)
	}
	return in, nil
}
