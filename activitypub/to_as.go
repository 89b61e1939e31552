package activitypub

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// MarkdownMediaType is the mediaType of a Note's source.
const MarkdownMediaType = "text/markdown"

// ErrNotFederated marks an object that must never leave its node (site audience).
var ErrNotFederated = errors.New("activitypub: object is not federated")

// PersonExtras are the parts of a Person the Account row does not hold itself.
type PersonExtras struct {
	// IconURL is the absolute URL of the avatar; empty for none.
	IconURL string
	// IconMediaType is the avatar's media type, such as image/webp.
	IconMediaType string
	// GuestExpires is when a guest account ends; nil for members and open-ended guests.
	GuestExpires *time.Time
}

// Tag is a mention (Href = actor IRI, Name = @user@host:port) or a hashtag
// (Href = tag page, Name = #tag) on a Note.
type Tag struct {
	Href string
	Name string
}

// NoteExtras are the parts of a Note the Post row references only by local id.
type NoteExtras struct {
	// InReplyToURI is the IRI of the post a comment answers; empty for top-level posts.
	InReplyToURI string
	// Mentions are the accounts named in the post.
	Mentions []Tag
	// Hashtags are the post's tags (Name with or without '#').
	Hashtags []Tag
	// GroupURI is the Group actor of a group post (audience group): the note is
	// addressed to it and names it as its audience (FEP-1b12).
	GroupURI string
}

// PersonToAS converts a local account into the Person served at its URI.
func PersonToAS(a *model.Account, x PersonExtras) (vocab.ActivityStreamsPerson, error) {
	if a == nil {
		return nil, errors.New("activitypub: person: nil account")
	}
	actor, err := ParseIRI(a.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: person %q: id: %w", a.Username, err)
	}
	inbox, err := sameOriginIRI(a.URI, a.InboxURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: person %q: inbox: %w", a.Username, err)
	}
	if a.Username == "" {
		return nil, fmt.Errorf("activitypub: person %q: empty username", a.URI)
	}
	if a.PublicKeyPEM == "" {
		return nil, fmt.Errorf("activitypub: person %q: no public key", a.URI)
	}
	p := streams.NewActivityStreamsPerson()
	p.SetJSONLDId(idProp(actor))

	pu := streams.NewActivityStreamsPreferredUsernameProperty()
	pu.SetXMLSchemaString(a.Username)
	p.SetActivityStreamsPreferredUsername(pu)

	name := streams.NewActivityStreamsNameProperty()
	name.AppendXMLSchemaString(a.Name())
	p.SetActivityStreamsName(name)

	if a.AboutHTML != "" {
		sum := streams.NewActivityStreamsSummaryProperty()
		sum.AppendXMLSchemaString(a.AboutHTML)
		p.SetActivityStreamsSummary(sum)
	}

	ib := streams.NewActivityStreamsInboxProperty()
	ib.SetIRI(inbox)
	p.SetActivityStreamsInbox(ib)

	ob := streams.NewActivityStreamsOutboxProperty()
	ob.SetIRI(mustIRI(OutboxURI(a.URI)))
	p.SetActivityStreamsOutbox(ob)

	fs := streams.NewActivityStreamsFollowersProperty()
	fs.SetIRI(mustIRI(FollowersURI(a.URI)))
	p.SetActivityStreamsFollowers(fs)

	fg := streams.NewActivityStreamsFollowingProperty()
	fg.SetIRI(mustIRI(FollowingURI(a.URI)))
	p.SetActivityStreamsFollowing(fg)

	p.SetW3IDSecurityV1PublicKey(publicKeyProp(actor, a.PublicKeyPEM))

	if x.IconURL != "" {
		icon, err := iconProp(x.IconURL, x.IconMediaType)
		if err != nil {
			return nil, fmt.Errorf("activitypub: person %q: icon: %w", a.URI, err)
		}
		p.SetActivityStreamsIcon(icon)
	}

	// go-fed v1.0.0 has no endpoints property nor Atrium terms; its unknown-property map is
	// serialized as is, so extra JSON members go there.
	extra := p.GetUnknownProperties()
	if a.SharedInboxURI != "" {
		if _, err := sameOriginIRI(a.URI, a.SharedInboxURI); err != nil {
			return nil, fmt.Errorf("activitypub: person %q: shared inbox: %w", a.URI, err)
		}
		extra["endpoints"] = map[string]interface{}{"sharedInbox": a.SharedInboxURI}
	}
	extra["manuallyApprovesFollowers"] = false
	// Admin is a local power: other nodes only learn member or guest.
	role := RoleMember
	if a.Role == model.RoleGuest {
		role = RoleGuest
	}
	extra[TermRole] = role
	setString(extra, TermSite, a.Site)
	setString(extra, TermDepartment, a.Department)
	setString(extra, TermJobTitle, a.JobTitle)
	// Skills go out only when the caller loaded them: an empty list clears them on the
	// receiver, a missing one leaves what it has.
	if a.Skills != nil {
		extra[TermSkills] = append([]string{}, a.Skills...)
	}
	if a.Manager != nil && a.Manager.URI != "" {
		if _, err := ParseIRI(a.Manager.URI); err != nil {
			return nil, fmt.Errorf("activitypub: person %q: manager: %w", a.URI, err)
		}
		extra[TermManager] = a.Manager.URI
	}
	if x.GuestExpires != nil {
		extra[TermGuestExpires] = x.GuestExpires.UTC().Format(time.RFC3339)
	}
	return p, nil
}

// NoteToAS converts a local post or comment into the Note served at its URI. Posts with
// the site audience are refused with ErrNotFederated, and as:Public is never addressed.
func NoteToAS(u model.URIs, p *model.Post, author *model.Account, x NoteExtras) (vocab.ActivityStreamsNote, error) {
	if p == nil || author == nil {
		return nil, errors.New("activitypub: note: nil post or author")
	}
	id, err := ParseIRI(p.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: note %q: id: %w", p.ID, err)
	}
	actor, err := sameOriginIRI(p.URI, author.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: note %q: author: %w", p.URI, err)
	}
	var to *url.URL
	switch p.Audience {
	case model.AudienceSite:
		return nil, fmt.Errorf("%w: note %q has the site audience", ErrNotFederated, p.URI)
	case model.AudienceCompany:
		to, err = sameOriginIRI(p.URI, u.Company())
	case model.AudienceFollowers:
		to, err = ParseIRI(FollowersURI(author.URI))
	case model.AudienceGroup:
		to, err = ParseIRI(x.GroupURI)
	default:
		return nil, fmt.Errorf("activitypub: note %q: unknown audience %q", p.URI, p.Audience)
	}
	if err != nil {
		return nil, fmt.Errorf("activitypub: note %q: audience: %w", p.URI, err)
	}

	n := streams.NewActivityStreamsNote()
	n.SetJSONLDId(idProp(id))

	at := streams.NewActivityStreamsAttributedToProperty()
	at.AppendIRI(actor)
	n.SetActivityStreamsAttributedTo(at)

	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(p.HTML)
	n.SetActivityStreamsContent(content)

	if p.Source != "" {
		src := streams.NewActivityStreamsObject()
		sc := streams.NewActivityStreamsContentProperty()
		sc.AppendXMLSchemaString(p.Source)
		src.SetActivityStreamsContent(sc)
		mt := streams.NewActivityStreamsMediaTypeProperty()
		mt.Set(MarkdownMediaType)
		src.SetActivityStreamsMediaType(mt)
		sp := streams.NewActivityStreamsSourceProperty()
		sp.SetActivityStreamsObject(src)
		n.SetActivityStreamsSource(sp)
	}

	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(p.CreatedAt.UTC())
	n.SetActivityStreamsPublished(pub)
	if p.EditedAt != nil {
		up := streams.NewActivityStreamsUpdatedProperty()
		up.Set(p.EditedAt.UTC())
		n.SetActivityStreamsUpdated(up)
	}

	if x.InReplyToURI != "" {
		parent, err := ParseIRI(x.InReplyToURI)
		if err != nil {
			return nil, fmt.Errorf("activitypub: note %q: inReplyTo: %w", p.URI, err)
		}
		irt := streams.NewActivityStreamsInReplyToProperty()
		irt.AppendIRI(parent)
		n.SetActivityStreamsInReplyTo(irt)
	}

	toProp := streams.NewActivityStreamsToProperty()
	toProp.AppendIRI(to)
	n.SetActivityStreamsTo(toProp)
	if p.Audience == model.AudienceGroup {
		aud := streams.NewActivityStreamsAudienceProperty()
		aud.AppendIRI(to)
		n.SetActivityStreamsAudience(aud)
	}

	// Mentioned actors are copied (cc) so their nodes get the post, but only within an
	// audience the post already has; the social layer decides who may be mentioned.
	if len(x.Mentions) > 0 {
		cc := streams.NewActivityStreamsCcProperty()
		for _, m := range x.Mentions {
			mu, err := ParseIRI(m.Href)
			if err != nil {
				return nil, fmt.Errorf("activitypub: note %q: mention: %w", p.URI, err)
			}
			cc.AppendIRI(mu)
		}
		n.SetActivityStreamsCc(cc)
	}

	tags, err := tagsJSON(x)
	if err != nil {
		return nil, fmt.Errorf("activitypub: note %q: %w", p.URI, err)
	}
	if len(tags) > 0 {
		// go-fed v1.0.0 has no Hashtag type, so the tag array is written as raw JSON
		// through the unknown-property map, which Serialize emits when tag is unset.
		n.GetUnknownProperties()["tag"] = tags
	}
	return n, nil
}

// tagsJSON renders mentions and hashtags the way Mastodon writes them.
func tagsJSON(x NoteExtras) ([]interface{}, error) {
	var tags []interface{}
	for _, m := range x.Mentions {
		if _, err := ParseIRI(m.Href); err != nil {
			return nil, fmt.Errorf("mention: %w", err)
		}
		tags = append(tags, map[string]interface{}{"type": "Mention", "href": m.Href, "name": m.Name})
	}
	for _, h := range x.Hashtags {
		name := strings.TrimPrefix(h.Name, "#")
		if name == "" {
			return nil, errors.New("hashtag: empty name")
		}
		t := map[string]interface{}{"type": "Hashtag", "name": "#" + name}
		if h.Href != "" {
			if _, err := ParseIRI(h.Href); err != nil {
				return nil, fmt.Errorf("hashtag: %w", err)
			}
			t["href"] = h.Href
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// publicKeyProp builds publicKey {id: actor#main-key, owner: actor, publicKeyPem}.
func publicKeyProp(actor *url.URL, pemText string) vocab.W3IDSecurityV1PublicKeyProperty {
	k := streams.NewW3IDSecurityV1PublicKey()
	k.SetJSONLDId(idProp(mustIRI(KeyID(actor.String()))))
	owner := streams.NewW3IDSecurityV1OwnerProperty()
	owner.SetIRI(actor)
	k.SetW3IDSecurityV1Owner(owner)
	pp := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pp.Set(pemText)
	k.SetW3IDSecurityV1PublicKeyPem(pp)
	prop := streams.NewW3IDSecurityV1PublicKeyProperty()
	prop.AppendW3IDSecurityV1PublicKey(k)
	return prop
}

// iconProp builds icon {type: Image, url, mediaType}.
func iconProp(rawURL, mediaType string) (vocab.ActivityStreamsIconProperty, error) {
	u, err := ParseIRI(rawURL)
	if err != nil {
		return nil, err
	}
	img := streams.NewActivityStreamsImage()
	up := streams.NewActivityStreamsUrlProperty()
	up.AppendIRI(u)
	img.SetActivityStreamsUrl(up)
	if mediaType != "" {
		mt := streams.NewActivityStreamsMediaTypeProperty()
		mt.Set(mediaType)
		img.SetActivityStreamsMediaType(mt)
	}
	icon := streams.NewActivityStreamsIconProperty()
	icon.AppendActivityStreamsImage(img)
	return icon, nil
}

// idProp wraps u as an id property.
func idProp(u *url.URL) vocab.JSONLDIdProperty {
	id := streams.NewJSONLDIdProperty()
	id.Set(u)
	return id
}

// mustIRI parses an IRI derived from one already validated; a failure is a programming error.
func mustIRI(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("activitypub: derived IRI %q: %v", s, err))
	}
	return u
}

// sameOriginIRI parses iri and requires it on the same node as base.
func sameOriginIRI(base, iri string) (*url.URL, error) {
	u, err := ParseIRI(iri)
	if err != nil {
		return nil, err
	}
	if !SameOrigin(base, iri) {
		return nil, fmt.Errorf("%w: %q is not on the node of %q", ErrInvalidIRI, iri, base)
	}
	return u, nil
}

// setString sets m[k] = v unless v is empty.
func setString(m map[string]interface{}, k, v string) {
	if v != "" {
		m[k] = v
	}
}
