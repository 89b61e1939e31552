package activitypub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Limits on documents from other nodes.
const (
	// MaxDocumentBytes bounds a whole incoming JSON document.
	MaxDocumentBytes = 1 << 20
	// MaxContentBytes bounds a Note's content and source.
	MaxContentBytes = 256 << 10
	// MaxFieldBytes bounds short text fields such as names and job titles.
	MaxFieldBytes = 512
	// MaxRecipients bounds each of to and cc.
	MaxRecipients = 256
	// MaxTags bounds a Note's tag array.
	MaxTags = 128
)

// Errors of incoming documents; all wrap ErrInvalid, which the inbox answers with 400.
var (
	// ErrInvalid is the parent of every rejection of a remote document.
	ErrInvalid = errors.New("activitypub: invalid document")
	// ErrUnexpectedType marks a well-formed document of another type than asked for.
	ErrUnexpectedType = fmt.Errorf("%w: unexpected type", ErrInvalid)
	// ErrOriginMismatch marks a reference that must be on the object's own node but is not.
	ErrOriginMismatch = fmt.Errorf("%w: origin mismatch", ErrInvalid)
	// ErrPublicAddressing marks an object addressed to as:Public, which Atrium refuses.
	ErrPublicAddressing = fmt.Errorf("%w: addressed to as:Public", ErrInvalid)
	// ErrUnsupportedAudience marks addressing that maps to no Atrium audience (yet).
	ErrUnsupportedAudience = fmt.Errorf("%w: unsupported audience", ErrInvalid)
)

// UnsafeHTML is HTML from another node exactly as received. It must go through the social
// layer's sanitizer before it is stored or shown; the distinct type keeps it from being
// assigned to a model HTML field by accident.
type UnsafeHTML string

// RemoteActor is a Person from another node, converted but not yet trusted.
type RemoteActor struct {
	// Account has Username, Domain, URI, inboxes, Role, DisplayName, JobTitle, Department,
	// Site and PublicKeyPEM set; ID and AboutHTML are left to the social layer.
	Account model.Account
	// SummaryHTML is the raw profile text, to be sanitized into Account.AboutHTML.
	SummaryHTML UnsafeHTML
	// PublicKeyID is publicKey.id, the keyId the actor signs with.
	PublicKeyID string
	// ManagerURI is atrium:manager, an actor IRI on any node; empty for none.
	ManagerURI string
	// Skills is atrium:skills; nil when the document does not state them.
	Skills []string
	// IconURL is the avatar URL; empty for none.
	IconURL string
	// GuestExpires is atrium:guestExpires; nil for none.
	GuestExpires *time.Time
	// ProfileWithheld is atrium:profileWithheld: the node serves the person's key but
	// not its profile to this node, whose users may not see the person. The profile
	// fields are then empty, skills an empty list, whatever the document says.
	ProfileWithheld bool
}

// RemoteNote is a Note from another node, converted but not yet trusted.
type RemoteNote struct {
	// Post has URI, Audience, Source, CreatedAt, UpdatedAt and EditedAt set and Local false;
	// ID, AccountID, InReplyToID, RootID and HTML are left to the social layer.
	Post model.Post
	// ContentHTML is the raw content, to be sanitized into Post.HTML.
	ContentHTML UnsafeHTML
	// AuthorURI is attributedTo, on the same node as the note.
	AuthorURI string
	// InReplyToURI is the parent object's IRI; empty for top-level posts.
	InReplyToURI string
	// To and Cc are the addressed IRIs as received.
	To, Cc []string
	// Mentions and Hashtags are the note's tags.
	Mentions []Tag
	Hashtags []Tag
	// GroupURI is the Group actor of a group post: the note's audience, also in to.
	GroupURI string
}

// Parse decodes a JSON document of at most MaxDocumentBytes into a go-fed type.
func Parse(ctx context.Context, b []byte) (vocab.Type, error) {
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
	t, err := streams.ToType(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return t, nil
}

// ParsePerson is Parse followed by PersonFromAS.
func ParsePerson(ctx context.Context, b []byte) (*RemoteActor, error) {
	t, err := Parse(ctx, b)
	if err != nil {
		return nil, err
	}
	p, ok := t.(vocab.ActivityStreamsPerson)
	if !ok {
		return nil, fmt.Errorf("%w: got %s, want Person", ErrUnexpectedType, t.GetTypeName())
	}
	return PersonFromAS(p)
}

// ParseNote is Parse followed by NoteFromAS.
func ParseNote(ctx context.Context, b []byte) (*RemoteNote, error) {
	t, err := Parse(ctx, b)
	if err != nil {
		return nil, err
	}
	n, ok := t.(vocab.ActivityStreamsNote)
	if !ok {
		return nil, fmt.Errorf("%w: got %s, want Note", ErrUnexpectedType, t.GetTypeName())
	}
	return NoteFromAS(n)
}

// PersonFromAS validates a remote Person and converts it. Whatever atrium:role says, the
// result is never an admin; the social layer further demotes users of partner nodes.
func PersonFromAS(p vocab.ActivityStreamsPerson) (*RemoteActor, error) {
	id, err := objectID(p)
	if err != nil {
		return nil, fmt.Errorf("activitypub: person: %w", err)
	}
	actor := id.String()
	wrap := func(err error) error { return fmt.Errorf("activitypub: person %q: %w", actor, err) }
	if id.Fragment != "" {
		return nil, wrap(fmt.Errorf("%w: actor id has a fragment", ErrInvalid))
	}
	r := &RemoteActor{}
	a := &r.Account
	a.URI = actor
	a.Domain = strings.ToLower(id.Host)

	pu := p.GetActivityStreamsPreferredUsername()
	if pu == nil || !pu.IsXMLSchemaString() {
		return nil, wrap(fmt.Errorf("%w: preferredUsername missing", ErrInvalid))
	}
	if err := validUsername(pu.GetXMLSchemaString()); err != nil {
		return nil, wrap(err)
	}
	a.Username = pu.GetXMLSchemaString()

	if a.InboxURI, err = sameOriginRef(actor, "inbox", p.GetActivityStreamsInbox()); err != nil {
		return nil, wrap(err)
	}
	if a.InboxURI == "" {
		return nil, wrap(fmt.Errorf("%w: inbox missing", ErrInvalid))
	}

	if name := p.GetActivityStreamsName(); name != nil {
		for it := name.Begin(); it != name.End(); it = it.Next() {
			if s, ok := textOf(it); ok {
				a.DisplayName = s
				break
			}
		}
	}
	if sum := p.GetActivityStreamsSummary(); sum != nil {
		for it := sum.Begin(); it != sum.End(); it = it.Next() {
			if s, ok := textOf(it); ok {
				r.SummaryHTML = UnsafeHTML(s)
				break
			}
		}
	}
	if len(a.DisplayName) > MaxFieldBytes || len(r.SummaryHTML) > MaxContentBytes {
		return nil, wrap(fmt.Errorf("%w: name or summary too long", ErrInvalid))
	}

	if err := publicKeyFromAS(r, p.GetW3IDSecurityV1PublicKey()); err != nil {
		return nil, wrap(err)
	}
	if icon := p.GetActivityStreamsIcon(); icon != nil {
		for it := icon.Begin(); it != icon.End(); it = it.Next() {
			if it.IsActivityStreamsImage() {
				r.IconURL = firstURL(it.GetActivityStreamsImage().GetActivityStreamsUrl())
				break
			}
		}
	}
	if err := extrasFromAS(r, p.GetUnknownProperties()); err != nil {
		return nil, wrap(err)
	}
	return r, nil
}

// publicKeyFromAS takes the first publicKey owned by the actor and checks its PEM.
func publicKeyFromAS(r *RemoteActor, prop vocab.W3IDSecurityV1PublicKeyProperty) error {
	actor := r.Account.URI
	if prop == nil {
		return fmt.Errorf("%w: publicKey missing", ErrInvalid)
	}
	for it := prop.Begin(); it != prop.End(); it = it.Next() {
		if !it.IsW3IDSecurityV1PublicKey() {
			continue
		}
		k := it.Get()
		kid, err := objectID(k)
		if err != nil {
			return fmt.Errorf("publicKey: %w", err)
		}
		// A key must live on its actor's node and name the actor as owner, or a node could
		// publish keys that speak for another node's users.
		if !SameOrigin(actor, kid.String()) {
			return fmt.Errorf("%w: publicKey.id %q", ErrOriginMismatch, kid)
		}
		owner := k.GetW3IDSecurityV1Owner()
		if owner == nil || !owner.IsIRI() || owner.GetIRI().String() != actor {
			return fmt.Errorf("%w: publicKey.owner is not the actor", ErrInvalid)
		}
		pp := k.GetW3IDSecurityV1PublicKeyPem()
		if pp == nil || pp.Get() == "" {
			return fmt.Errorf("%w: publicKeyPem missing", ErrInvalid)
		}
		if _, err := ParsePublicKeyPEM(pp.Get()); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		r.PublicKeyID = kid.String()
		r.Account.PublicKeyPEM = pp.Get()
		return nil
	}
	return fmt.Errorf("%w: no usable publicKey", ErrInvalid)
}

// extrasFromAS reads the members go-fed does not know: endpoints and the Atrium terms.
func extrasFromAS(r *RemoteActor, m map[string]interface{}) error {
	a := &r.Account
	if ep, ok := m["endpoints"].(map[string]interface{}); ok {
		if si, ok := ep["sharedInbox"].(string); ok {
			// The shared inbox receives deliveries for every user of the node; one on another
			// origin would let a node divert its peers' traffic.
			if _, err := ParseIRI(si); err != nil {
				return fmt.Errorf("%w: sharedInbox: %v", ErrInvalid, err)
			}
			if !SameOrigin(a.URI, si) {
				return fmt.Errorf("%w: sharedInbox %q", ErrOriginMismatch, si)
			}
			a.SharedInboxURI = si
		}
	}
	a.Role = model.RoleMember
	if role, _ := m[TermRole].(string); role == RoleGuest {
		a.Role = model.RoleGuest
	}
	for _, f := range []struct {
		term string
		dst  *string
	}{
		{TermSite, &a.Site},
		{TermDepartment, &a.Department},
		{TermJobTitle, &a.JobTitle},
	} {
		v, ok := m[f.term]
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok || len(s) > MaxFieldBytes {
			return fmt.Errorf("%w: %s must be a string of at most %d bytes", ErrInvalid, f.term, MaxFieldBytes)
		}
		*f.dst = s
	}
	if v, ok := m[TermManager]; ok {
		s, _ := v.(string)
		if _, err := ParseIRI(s); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, TermManager, err)
		}
		r.ManagerURI = s
	}
	if v, ok := m[TermSkills]; ok {
		skills, err := skillsFromAS(v)
		if err != nil {
			return err
		}
		r.Skills = skills
	}
	if v, ok := m[TermGuestExpires]; ok {
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, TermGuestExpires, err)
		}
		t = t.UTC()
		r.GuestExpires = &t
	}
	if v, ok := m[TermProfileWithheld]; ok {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%w: %s must be a boolean", ErrInvalid, TermProfileWithheld)
		}
		if b {
			withholdProfile(r)
		}
	}
	return nil
}

// NoteFromAS validates a remote Note and converts it. Its author must be on the note's
// node, and its addressing must map to an Atrium audience.
func NoteFromAS(n vocab.ActivityStreamsNote) (*RemoteNote, error) {
	id, err := objectID(n)
	if err != nil {
		return nil, fmt.Errorf("activitypub: note: %w", err)
	}
	uri := id.String()
	wrap := func(err error) error { return fmt.Errorf("activitypub: note %q: %w", uri, err) }
	r := &RemoteNote{}
	r.Post.URI = uri

	if r.AuthorURI, err = attributedTo(n.GetActivityStreamsAttributedTo()); err != nil {
		return nil, wrap(err)
	}
	// A node may only speak for its own users; a note naming an author elsewhere is forged.
	if !SameOrigin(uri, r.AuthorURI) {
		return nil, wrap(fmt.Errorf("%w: attributedTo %q", ErrOriginMismatch, r.AuthorURI))
	}

	if c := n.GetActivityStreamsContent(); c != nil {
		for it := c.Begin(); it != c.End(); it = it.Next() {
			if s, ok := textOf(it); ok {
				r.ContentHTML = UnsafeHTML(s)
				break
			}
		}
	}
	if len(r.ContentHTML) > MaxContentBytes {
		return nil, wrap(fmt.Errorf("%w: content longer than %d bytes", ErrInvalid, MaxContentBytes))
	}
	if err := sourceFromAS(&r.Post, n.GetActivityStreamsSource()); err != nil {
		return nil, wrap(err)
	}

	pub := n.GetActivityStreamsPublished()
	if pub == nil || !pub.IsXMLSchemaDateTime() {
		return nil, wrap(fmt.Errorf("%w: published missing", ErrInvalid))
	}
	r.Post.CreatedAt = pub.Get().UTC()
	r.Post.UpdatedAt = r.Post.CreatedAt
	if up := n.GetActivityStreamsUpdated(); up != nil && up.IsXMLSchemaDateTime() {
		t := up.Get().UTC()
		if t.After(r.Post.CreatedAt) {
			r.Post.UpdatedAt = t
			r.Post.EditedAt = &t
		}
	}

	if irt := n.GetActivityStreamsInReplyTo(); irt != nil {
		for it := irt.Begin(); it != irt.End(); it = it.Next() {
			u, err := refIRI(it)
			if err != nil {
				return nil, wrap(fmt.Errorf("inReplyTo: %w", err))
			}
			r.InReplyToURI = u.String()
			break
		}
	}

	if to := n.GetActivityStreamsTo(); to != nil {
		if r.To, err = recipients("to", to.Len(), to.At); err != nil {
			return nil, wrap(err)
		}
	}
	if cc := n.GetActivityStreamsCc(); cc != nil {
		if r.Cc, err = recipients("cc", cc.Len(), cc.At); err != nil {
			return nil, wrap(err)
		}
	}
	if r.GroupURI, err = groupAudienceOf(n.GetActivityStreamsAudience(), r.To); err != nil {
		return nil, wrap(err)
	}
	if r.GroupURI != "" {
		r.Post.Audience = model.AudienceGroup
	} else if r.Post.Audience, err = audienceOf(uri, r.AuthorURI, r.To, r.Cc); err != nil {
		return nil, wrap(err)
	}
	if err := tagsFromAS(r, n.GetActivityStreamsTag()); err != nil {
		return nil, wrap(err)
	}
	return r, nil
}

// audienceOf maps addressing to an Atrium audience. Company means the company collection
// of the note's own node; followers means the author's followers collection.
func audienceOf(note, author string, to, cc []string) (model.Audience, error) {
	all := append(append([]string{}, to...), cc...)
	for _, iri := range all {
		if IsPublic(iri) {
			return "", ErrPublicAddressing
		}
	}
	for _, iri := range all {
		if u, err := ParseIRI(iri); err == nil && u.Path == "/company" && SameOrigin(note, iri) {
			return model.AudienceCompany, nil
		}
	}
	for _, iri := range all {
		if iri == FollowersURI(author) {
			return model.AudienceFollowers, nil
		}
	}
	return "", fmt.Errorf("%w: to/cc name neither the company nor the author's followers", ErrUnsupportedAudience)
}

// sourceFromAS takes source.content when source.mediaType is Markdown.
func sourceFromAS(p *model.Post, prop vocab.ActivityStreamsSourceProperty) error {
	if prop == nil {
		return nil
	}
	// Serialize yields the raw member whether go-fed recognized it as an Object or not
	// (Mastodon writes source without a type).
	raw, err := prop.Serialize()
	if err != nil {
		return fmt.Errorf("%w: source: %v", ErrInvalid, err)
	}
	m, ok := raw.(map[string]interface{})
	if !ok {
		return nil
	}
	mt, _ := m["mediaType"].(string)
	content, _ := m["content"].(string)
	if mt != MarkdownMediaType {
		return nil
	}
	if len(content) > MaxContentBytes {
		return fmt.Errorf("%w: source longer than %d bytes", ErrInvalid, MaxContentBytes)
	}
	p.Source = content
	return nil
}

// tagsFromAS reads Mention and Hashtag entries; other tag types are ignored.
func tagsFromAS(r *RemoteNote, prop vocab.ActivityStreamsTagProperty) error {
	if prop == nil {
		return nil
	}
	if prop.Len() > MaxTags {
		return fmt.Errorf("%w: more than %d tags", ErrInvalid, MaxTags)
	}
	// go-fed v1.0.0 knows Mention but not Hashtag; reading the serialized form treats both alike.
	raw, err := prop.Serialize()
	if err != nil {
		return fmt.Errorf("%w: tag: %v", ErrInvalid, err)
	}
	list, ok := raw.([]interface{})
	if !ok {
		list = []interface{}{raw}
	}
	for _, v := range list {
		m, ok := v.(map[string]interface{})
		if !ok {
			continue
		}
		typ, _ := m["type"].(string)
		href, _ := m["href"].(string)
		name, _ := m["name"].(string)
		if len(name) > MaxFieldBytes {
			return fmt.Errorf("%w: tag name too long", ErrInvalid)
		}
		switch typ {
		case "Mention":
			if _, err := ParseIRI(href); err != nil {
				return fmt.Errorf("%w: mention: %v", ErrInvalid, err)
			}
			r.Mentions = append(r.Mentions, Tag{Href: href, Name: name})
		case "Hashtag":
			if href != "" {
				if _, err := ParseIRI(href); err != nil {
					return fmt.Errorf("%w: hashtag: %v", ErrInvalid, err)
				}
			}
			name = strings.TrimPrefix(name, "#")
			if name == "" {
				return fmt.Errorf("%w: hashtag without a name", ErrInvalid)
			}
			r.Hashtags = append(r.Hashtags, Tag{Href: href, Name: name})
		}
	}
	return nil
}

// MaxSkills bounds atrium:skills.
const MaxSkills = 64

// skillsFromAS reads atrium:skills: a list of strings, or one string as JSON-LD compaction
// may write a list of one.
func skillsFromAS(v interface{}) ([]string, error) {
	var list []interface{}
	switch x := v.(type) {
	case string:
		list = []interface{}{x}
	case []interface{}:
		list = x
	default:
		return nil, fmt.Errorf("%w: %s must be a list of strings", ErrInvalid, TermSkills)
	}
	if len(list) > MaxSkills {
		return nil, fmt.Errorf("%w: %s lists more than %d skills", ErrInvalid, TermSkills, MaxSkills)
	}
	out := make([]string, 0, len(list))
	for _, it := range list {
		s, ok := it.(string)
		if !ok || len(s) > MaxFieldBytes {
			return nil, fmt.Errorf("%w: %s must be strings of at most %d bytes", ErrInvalid, TermSkills, MaxFieldBytes)
		}
		out = append(out, s)
	}
	return out, nil
}
