package activitypub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// The member directory a node publishes to its siblings: an OrderedCollection whose
// pages (OrderedCollectionPage) list Person objects in full, the same documents the
// actors themselves serve, without their own @context (the page's applies).

// MaxDirectoryPageItems bounds the people one directory page may list.
const MaxDirectoryPageItems = 1000

// DirectoryCollection is the top of a node's directory.
type DirectoryCollection struct {
	ID         string
	TotalItems int
	// First is the first page's IRI; empty when the directory is empty.
	First string
}

// DirectoryPage is one page of a node's directory, converted but not yet trusted.
type DirectoryPage struct {
	ID     string
	PartOf string
	// Next is the following page's IRI; empty on the last page.
	Next string
	// People are the valid Person objects of the page.
	People []*RemoteActor
	// Invalid counts the items that were refused; FirstInvalid says why the first was.
	Invalid      int
	FirstInvalid error
}

// PersonItem serializes a local account's Person for a directory page.
func PersonItem(origin string, a *model.Account, x PersonExtras) (json.RawMessage, error) {
	p, err := PersonToAS(a, x)
	if err != nil {
		return nil, err
	}
	m, err := Serialize(origin, p)
	if err != nil {
		return nil, err
	}
	delete(m, "@context")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("activitypub: directory item %q: %w", a.URI, err)
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// DirectoryPageDocument assembles a directory page from items made by PersonItem.
func DirectoryPageDocument(origin, id, partOf, next string, items []json.RawMessage) ([]byte, error) {
	doc := map[string]interface{}{
		"@context":     Context(origin),
		"id":           id,
		"type":         "OrderedCollectionPage",
		"partOf":       partOf,
		"orderedItems": items,
	}
	if next != "" {
		doc["next"] = next
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("activitypub: directory page: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ParseDirectoryCollection reads the top of a directory.
func ParseDirectoryCollection(b []byte) (*DirectoryCollection, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	var doc struct {
		ID         string      `json:"id"`
		Type       string      `json:"type"`
		TotalItems int         `json:"totalItems"`
		First      interface{} `json:"first"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: directory: %v", ErrInvalid, err)
	}
	if doc.Type != "OrderedCollection" {
		return nil, fmt.Errorf("%w: directory of type %q", ErrUnexpectedType, doc.Type)
	}
	id, err := ParseIRI(doc.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: directory id: %v", ErrInvalid, err)
	}
	c := &DirectoryCollection{ID: id.String(), TotalItems: doc.TotalItems}
	if doc.First != nil {
		first, err := idOf(doc.First)
		if err != nil {
			return nil, fmt.Errorf("%w: directory first page: %v", ErrInvalid, err)
		}
		if !SameOrigin(c.ID, first.String()) {
			return nil, fmt.Errorf("%w: directory first page %q", ErrOriginMismatch, first)
		}
		c.First = first.String()
	}
	return c, nil
}

// ParseDirectoryPage reads one directory page. The page itself must be well formed; an
// item that is no valid Person, or lives on another node than the page, is counted in
// Invalid and left out, so one bad profile does not hide the node's other people.
func ParseDirectoryPage(ctx context.Context, b []byte) (*DirectoryPage, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	var doc struct {
		Context interface{}              `json:"@context"`
		ID      string                   `json:"id"`
		Type    string                   `json:"type"`
		PartOf  interface{}              `json:"partOf"`
		Next    interface{}              `json:"next"`
		Items   []map[string]interface{} `json:"orderedItems"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: directory page: %v", ErrInvalid, err)
	}
	if doc.Type != "OrderedCollectionPage" {
		return nil, fmt.Errorf("%w: directory page of type %q", ErrUnexpectedType, doc.Type)
	}
	id, err := ParseIRI(doc.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: directory page id: %v", ErrInvalid, err)
	}
	if len(doc.Items) > MaxDirectoryPageItems {
		return nil, fmt.Errorf("%w: directory page lists %d people, more than %d", ErrInvalid, len(doc.Items), MaxDirectoryPageItems)
	}
	p := &DirectoryPage{ID: id.String()}
	for _, ref := range []struct {
		v   interface{}
		dst *string
	}{{doc.PartOf, &p.PartOf}, {doc.Next, &p.Next}} {
		if ref.v == nil {
			continue
		}
		u, err := idOf(ref.v)
		if err != nil {
			return nil, fmt.Errorf("%w: directory page link: %v", ErrInvalid, err)
		}
		if !SameOrigin(p.ID, u.String()) {
			return nil, fmt.Errorf("%w: directory page link %q", ErrOriginMismatch, u)
		}
		*ref.dst = u.String()
	}
	for _, item := range doc.Items {
		ra, err := directoryItem(ctx, item, doc.Context)
		if err == nil && !SameOrigin(p.ID, ra.Account.URI) {
			err = fmt.Errorf("%w: person %q on another node", ErrOriginMismatch, ra.Account.URI)
		}
		if err != nil {
			if p.Invalid == 0 {
				p.FirstInvalid = err
			}
			p.Invalid++
			continue
		}
		p.People = append(p.People, ra)
	}
	return p, nil
}

// directoryItem converts one item of a directory page, with the page's @context.
func directoryItem(ctx context.Context, item map[string]interface{}, jsonld interface{}) (*RemoteActor, error) {
	typ, err := typeOf(item)
	if err != nil {
		return nil, err
	}
	if typ != TypePerson {
		return nil, fmt.Errorf("%w: directory item of type %q", ErrUnexpectedType, typ)
	}
	b, err := withContext(item, jsonld)
	if err != nil {
		return nil, err
	}
	return ParseActor(ctx, b)
}

// ActorDeleteID is the id of the Delete of the actor actorURI at t: one per deactivation,
// so a person deactivated again after coming back is not taken for a replay.
func ActorDeleteID(actorURI string, t time.Time) string {
	return actorURI + "#delete-" + strconv.FormatInt(t.UnixNano(), 10)
}

// NewDeleteActor is the Delete of a local account's actor, sent when it is deactivated:
// to its followers and the company, like its profile Updates.
func NewDeleteActor(u model.URIs, a *model.Account, at time.Time) (vocab.ActivityStreamsDelete, error) {
	if a == nil {
		return nil, fmt.Errorf("activitypub: delete actor: nil account")
	}
	actor, err := ParseIRI(a.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: delete actor %q: %w", a.Username, err)
	}
	d := streams.NewActivityStreamsDelete()
	d.SetJSONLDId(idProp(mustIRI(ActorDeleteID(a.URI, at))))
	d.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(actor)
	d.SetActivityStreamsObject(obj)
	to, cc, err := addressing([]string{FollowersURI(a.URI)}, []string{u.Company()})
	if err != nil {
		return nil, fmt.Errorf("activitypub: delete actor %q: %w", a.URI, err)
	}
	d.SetActivityStreamsTo(to)
	d.SetActivityStreamsCc(cc)
	return d, nil
}
