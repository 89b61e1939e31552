package activitypub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Activity types Atrium acts on; others are parsed only far enough to be ignored.
const (
	TypeCreate     = "Create"
	TypeUpdate     = "Update"
	TypeDelete     = "Delete"
	TypeFollow     = "Follow"
	TypeAccept     = "Accept"
	TypeReject     = "Reject"
	TypeUndo       = "Undo"
	TypeLike       = "Like"
	TypeEmojiReact = "EmojiReact"
	TypeNote       = "Note"
	TypePerson     = "Person"
	TypeTombstone  = "Tombstone"
)

// RemoteActivity is an activity from another node, checked for shape and origins but not
// yet for rights: the inbox still compares the signing key's owner with ActorURI.
type RemoteActivity struct {
	// ID is the activity id, the key of replay protection.
	ID   string
	Type string
	// ActorURI is the actor, on the same node as ID.
	ActorURI string
	// ObjectID is the object's IRI, or the id of the embedded object.
	ObjectID string
	// ObjectType is the embedded object's type; "" when the object is only an IRI.
	ObjectType string
	// Object is the embedded activity of Undo, Accept, Reject and Announce, when one is
	// embedded.
	Object *RemoteActivity
	// Note is the embedded Note of Create and Update.
	Note *RemoteNote
	// Person is the embedded Person of Update, which must be the actor itself.
	Person *RemoteActor
	// Group is the embedded Group of Update, which must be the actor itself.
	Group *RemoteGroup
	// Content is the emoji of an EmojiReact (or of a Like that carries one).
	Content string
}

// ParseActivity decodes and validates an incoming activity. Its envelope is read as plain
// JSON because go-fed v1.0.0 does not know EmojiReact; embedded Notes and Persons go
// through the go-fed converters. The id and actor must be absolute http(s) IRIs on one
// node, and for Create, Update and Delete the object must be on that node too, so a node
// cannot create, change or delete another node's objects.
func ParseActivity(ctx context.Context, b []byte) (*RemoteActivity, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	var m map[string]interface{}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: json: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalid)
	}
	if m == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	return activityFromMap(ctx, m, m["@context"], 0)
}

// maxNesting bounds embedded activities (Undo of a Like is depth 1).
const maxNesting = 2

func activityFromMap(ctx context.Context, m map[string]interface{}, jsonld interface{}, depth int) (*RemoteActivity, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%w: activities nested too deep", ErrInvalid)
	}
	a := &RemoteActivity{}
	var err error
	if a.Type, err = typeOf(m); err != nil {
		return nil, err
	}
	id, err := idOf(m["id"])
	if err != nil {
		return nil, fmt.Errorf("%w: %s id: %v", ErrInvalid, a.Type, err)
	}
	a.ID = id.String()
	wrap := func(err error) error { return fmt.Errorf("activitypub: %s %q: %w", a.Type, a.ID, err) }
	actor, err := idOf(m["actor"])
	if err != nil {
		return nil, wrap(fmt.Errorf("%w: actor: %v", ErrInvalid, err))
	}
	if actor.Fragment != "" {
		return nil, wrap(fmt.Errorf("%w: actor has a fragment", ErrInvalid))
	}
	a.ActorURI = actor.String()
	// An activity id names its sender's node; one on another node is a forgery.
	if !SameOrigin(a.ID, a.ActorURI) {
		return nil, wrap(fmt.Errorf("%w: actor %q", ErrOriginMismatch, a.ActorURI))
	}
	if c, ok := m["content"]; ok {
		s, ok := c.(string)
		if !ok || len(s) > MaxFieldBytes {
			return nil, wrap(fmt.Errorf("%w: content must be a short string", ErrInvalid))
		}
		a.Content = s
	}

	obj, ok := m["object"]
	if !ok {
		switch a.Type {
		case TypeCreate, TypeUpdate, TypeDelete, TypeFollow, TypeAccept, TypeReject, TypeUndo, TypeLike, TypeEmojiReact, TypeAnnounce:
			return nil, wrap(fmt.Errorf("%w: object missing", ErrInvalid))
		}
		return a, nil
	}
	switch o := obj.(type) {
	case string:
		u, err := ParseIRI(o)
		if err != nil {
			return nil, wrap(fmt.Errorf("%w: object: %v", ErrInvalid, err))
		}
		a.ObjectID = u.String()
	case map[string]interface{}:
		if err := a.embedded(ctx, o, jsonld, depth); err != nil {
			return nil, wrap(err)
		}
	default:
		return nil, wrap(fmt.Errorf("%w: object must be an IRI or one object", ErrInvalid))
	}
	switch a.Type {
	case TypeCreate, TypeUpdate, TypeDelete:
		if !SameOrigin(a.ObjectID, a.ActorURI) {
			return nil, wrap(fmt.Errorf("%w: object %q", ErrOriginMismatch, a.ObjectID))
		}
	}
	return a, nil
}

// embedded reads an object given in full.
func (a *RemoteActivity) embedded(ctx context.Context, o map[string]interface{}, jsonld interface{}, depth int) error {
	typ, err := typeOf(o)
	if err != nil {
		return fmt.Errorf("object: %w", err)
	}
	a.ObjectType = typ
	id, err := idOf(o["id"])
	if err != nil {
		return fmt.Errorf("%w: object id: %v", ErrInvalid, err)
	}
	a.ObjectID = id.String()
	switch a.Type {
	case TypeCreate, TypeUpdate:
		switch typ {
		case TypeNote:
			if a.Note, err = noteFromMap(ctx, o, jsonld); err != nil {
				return err
			}
		case TypePerson:
			if a.Type != TypeUpdate {
				return nil
			}
			b, err := withContext(o, jsonld)
			if err != nil {
				return err
			}
			if a.Person, err = ParseActor(ctx, b); err != nil {
				return err
			}
			// Only the actor may describe itself.
			if a.Person.Account.URI != a.ActorURI {
				return fmt.Errorf("%w: Update of another actor %q", ErrInvalid, a.Person.Account.URI)
			}
		case TypeGroup:
			if a.Type == TypeUpdate {
				return a.embeddedGroup(o, jsonld)
			}
		}
	case TypeAnnounce:
		// A group relays a member's activity: it keeps its own id, actor and checks.
		if a.Object, err = activityFromMap(ctx, o, jsonld, depth+1); err != nil {
			return err
		}
	case TypeUndo, TypeAccept, TypeReject:
		inner := o
		if _, ok := inner["actor"]; !ok && a.Type != TypeUndo {
			// Accept and Reject may embed a Follow without its actor; only the id matters.
			return nil
		}
		if a.Object, err = activityFromMap(ctx, inner, jsonld, depth+1); err != nil {
			return err
		}
		// An actor can only undo its own activities.
		if a.Type == TypeUndo && a.Object.ActorURI != a.ActorURI {
			return fmt.Errorf("%w: Undo of an activity by %q", ErrInvalid, a.Object.ActorURI)
		}
	}
	return nil
}

// typeOf returns the single type of a JSON object.
func typeOf(m map[string]interface{}) (string, error) {
	t, ok := m["type"].(string)
	if !ok || t == "" || len(t) > 64 {
		return "", fmt.Errorf("%w: type must be one short string", ErrInvalid)
	}
	return t, nil
}

// idOf parses an IRI given as a string or as an object with an id.
func idOf(v interface{}) (*url.URL, error) {
	switch x := v.(type) {
	case string:
		return ParseIRI(x)
	case map[string]interface{}:
		s, _ := x["id"].(string)
		return ParseIRI(s)
	case nil:
		return nil, fmt.Errorf("%w: missing", ErrInvalidIRI)
	default:
		return nil, fmt.Errorf("%w: not a string", ErrInvalidIRI)
	}
}

// noteFromMap converts an embedded Note, decoded with its activity, through go-fed as
// ParseNote does, without encoding it back to JSON and decoding it again: the map is
// what that round trip would give.
func noteFromMap(ctx context.Context, o map[string]interface{}, jsonld interface{}) (*RemoteNote, error) {
	t, err := streams.ToType(ctx, contextMap(o, jsonld))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	n, ok := t.(vocab.ActivityStreamsNote)
	if !ok {
		return nil, fmt.Errorf("%w: got %s, want Note", ErrUnexpectedType, t.GetTypeName())
	}
	return NoteFromAS(n)
}

// contextMap is a shallow copy of an embedded object with the enclosing document's
// @context, so go-fed resolves its terms the way the sender meant them.
func contextMap(o map[string]interface{}, jsonld interface{}) map[string]interface{} {
	c := make(map[string]interface{}, len(o)+1)
	for k, v := range o {
		c[k] = v
	}
	if _, ok := c["@context"]; !ok && jsonld != nil {
		c["@context"] = jsonld
	}
	return c
}

// withContext re-encodes an embedded object with the enclosing document's @context, so
// go-fed resolves its terms the way the sender meant them.
func withContext(o map[string]interface{}, jsonld interface{}) ([]byte, error) {
	b, err := json.Marshal(contextMap(o, jsonld))
	if err != nil {
		return nil, fmt.Errorf("%w: object: %v", ErrInvalid, err)
	}
	return b, nil
}

// ApplicationKey is the key of a node actor (type Application or Service).
type ApplicationKey struct {
	// ActorURI is the node actor's id; KeyID its publicKey.id; PublicKeyPEM the key.
	ActorURI, KeyID, PublicKeyPEM string
}

// ParseApplicationKey reads the id and publicKey of a node actor document, with the same
// checks as for a Person's key: the key on the actor's node, owned by the actor.
func ParseApplicationKey(b []byte) (*ApplicationKey, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	var doc struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: json: %v", ErrInvalid, err)
	}
	if doc.Type != "Application" && doc.Type != "Service" {
		return nil, fmt.Errorf("%w: got %q, want Application", ErrUnexpectedType, doc.Type)
	}
	id, err := ParseIRI(doc.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: id: %v", ErrInvalid, err)
	}
	var key struct {
		ID           string `json:"id"`
		Owner        string `json:"owner"`
		PublicKeyPem string `json:"publicKeyPem"`
	}
	if err := json.Unmarshal(doc.PublicKey, &key); err != nil {
		return nil, fmt.Errorf("%w: publicKey: %v", ErrInvalid, err)
	}
	if !SameOrigin(id.String(), key.ID) || strings.TrimSpace(key.PublicKeyPem) == "" {
		return nil, fmt.Errorf("%w: publicKey.id %q", ErrOriginMismatch, key.ID)
	}
	if key.Owner != id.String() {
		return nil, fmt.Errorf("%w: publicKey.owner is not the actor", ErrInvalid)
	}
	if _, err := ParsePublicKeyPEM(key.PublicKeyPem); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &ApplicationKey{ActorURI: id.String(), KeyID: key.ID, PublicKeyPEM: key.PublicKeyPem}, nil
}

// ParseActor is ParsePerson plus the followers collection, which the cached account
// keeps (FollowersURI) and which must be on the actor's node.
func ParseActor(ctx context.Context, b []byte) (*RemoteActor, error) {
	r, err := ParsePerson(ctx, b)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Followers interface{} `json:"followers"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: json: %v", ErrInvalid, err)
	}
	if doc.Followers != nil {
		u, err := idOf(doc.Followers)
		if err != nil || !SameOrigin(r.Account.URI, u.String()) {
			return nil, fmt.Errorf("%w: followers of %q", ErrOriginMismatch, r.Account.URI)
		}
		r.Account.FollowersURI = u.String()
	}
	return r, nil
}
