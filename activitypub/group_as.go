package activitypub

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atrium-intranet/atrium/model"
)

// Group actors (FEP-1b12) are written and read as plain JSON: go-fed v1.0.0 has neither
// endpoints nor the Atrium terms on Group, and a Group carries little else.

// GroupMembersURI is a Group actor's followers collection: its members.
func GroupMembersURI(actor string) string { return actor + "/followers" }

// GroupModeratorsURI is a Group actor's moderators collection, named by attributedTo.
func GroupModeratorsURI(actor string) string { return actor + "/moderators" }

// GroupToAS is the Group actor document of a local group, with the @context of the node
// at origin. Closed and secret groups approve their followers (members) manually. The
// avatar is its icon and the banner its image, served to peers at origin/avatars/.
func GroupToAS(origin string, g *model.Group) (map[string]interface{}, error) {
	if g == nil {
		return nil, errors.New("activitypub: group: nil group")
	}
	if _, err := ParseIRI(g.URI); err != nil {
		return nil, fmt.Errorf("activitypub: group %q: id: %w", g.Name, err)
	}
	if _, err := sameOriginIRI(g.URI, g.InboxURI); err != nil {
		return nil, fmt.Errorf("activitypub: group %q: inbox: %w", g.Name, err)
	}
	if g.PublicKeyPEM == "" {
		return nil, fmt.Errorf("activitypub: group %q: no public key", g.URI)
	}
	doc := map[string]interface{}{
		"@context":                  Context(origin),
		"id":                        g.URI,
		"type":                      "Group",
		"preferredUsername":         g.Name,
		"name":                      g.DisplayName,
		"inbox":                     g.InboxURI,
		"followers":                 GroupMembersURI(g.URI),
		"attributedTo":              GroupModeratorsURI(g.URI),
		"manuallyApprovesFollowers": g.Kind != model.GroupOpen,
		"publicKey": map[string]string{
			"id": KeyID(g.URI), "owner": g.URI, "publicKeyPem": g.PublicKeyPEM,
		},
		TermGroupKind: string(g.Kind),
		TermSiteOnly:  g.SiteOnly,
		// Members' nodes hold their users' posts pending until the group relays them.
		TermPreModeration: g.PreModeration,
	}
	if g.DescriptionHTML != "" {
		doc["summary"] = g.DescriptionHTML
	}
	if g.AvatarFile != "" {
		doc["icon"] = pictureDoc(origin, g.AvatarFile)
	}
	if g.BannerFile != "" {
		doc["image"] = pictureDoc(origin, g.BannerFile)
	}
	if g.SharedInboxURI != "" {
		if _, err := sameOriginIRI(g.URI, g.SharedInboxURI); err != nil {
			return nil, fmt.Errorf("activitypub: group %q: shared inbox: %w", g.URI, err)
		}
		doc["endpoints"] = map[string]string{"sharedInbox": g.SharedInboxURI}
	}
	return doc, nil
}

// RemoteGroup is a Group actor read from another node.
type RemoteGroup struct {
	// Group holds Name, Domain, URI, inboxes, DisplayName, Kind, SiteOnly,
	// PreModeration and PublicKeyPEM; DescriptionHTML is as received and must be sanitized before storage.
	Group model.Group
	// AvatarURL (icon) and BannerURL (image) are the group's pictures, on its own node;
	// empty for none, and for a picture named on another node.
	AvatarURL, BannerURL string
}

// groupDoc is the part of a Group document Atrium reads.
type groupDoc struct {
	ID                string          `json:"id"`
	Type              json.RawMessage `json:"type"`
	PreferredUsername string          `json:"preferredUsername"`
	Name              string          `json:"name"`
	Summary           string          `json:"summary"`
	Inbox             string          `json:"inbox"`
	Endpoints         struct {
		SharedInbox string `json:"sharedInbox"`
	} `json:"endpoints"`
	PublicKey struct {
		ID           string `json:"id"`
		Owner        string `json:"owner"`
		PublicKeyPem string `json:"publicKeyPem"`
	} `json:"publicKey"`
	ManuallyApproves *bool           `json:"manuallyApprovesFollowers"`
	Kind             string          `json:"atrium:groupKind"`
	SiteOnly         bool            `json:"atrium:siteOnly"`
	PreModeration    bool            `json:"atrium:preModeration"`
	Icon             json.RawMessage `json:"icon"`
	Image            json.RawMessage `json:"image"`
}

// ParseGroup validates a remote Group actor document: one object of type Group, every
// IRI on the actor's origin, a key owned by the actor. A group without atrium:groupKind
// is open when it approves followers automatically and closed otherwise.
func ParseGroup(b []byte) (*RemoteGroup, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrInvalid, len(b), MaxDocumentBytes)
	}
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	var d groupDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%w: json: %v", ErrInvalid, err)
	}
	var typ string
	if err := json.Unmarshal(d.Type, &typ); err != nil || typ != "Group" {
		return nil, fmt.Errorf("%w: got %s, want Group", ErrUnexpectedType, string(d.Type))
	}
	id, err := ParseIRI(d.ID)
	if err != nil {
		return nil, fmt.Errorf("activitypub: group: %w: id: %v", ErrInvalid, err)
	}
	wrap := func(err error) error { return fmt.Errorf("activitypub: group %q: %w", d.ID, err) }
	if id.Fragment != "" {
		return nil, wrap(fmt.Errorf("%w: actor id has a fragment", ErrInvalid))
	}
	// The name becomes part of handles, paths and lookups; the texts are shown.
	if err := validUsername(d.PreferredUsername); err != nil {
		return nil, wrap(err)
	}
	if len(d.Name) > MaxFieldBytes || len(d.Summary) > MaxContentBytes {
		return nil, wrap(fmt.Errorf("%w: name or summary too long", ErrInvalid))
	}
	if _, err := sameOriginIRI(d.ID, d.Inbox); err != nil {
		return nil, wrap(fmt.Errorf("%w: inbox: %v", ErrInvalid, err))
	}
	if d.Endpoints.SharedInbox != "" {
		if _, err := sameOriginIRI(d.ID, d.Endpoints.SharedInbox); err != nil {
			return nil, wrap(fmt.Errorf("%w: shared inbox: %v", ErrInvalid, err))
		}
	}
	if d.PublicKey.Owner != d.ID || d.PublicKey.PublicKeyPem == "" {
		return nil, wrap(fmt.Errorf("%w: public key missing or not owned by the group", ErrInvalid))
	}
	if _, err := sameOriginIRI(d.ID, d.PublicKey.ID); err != nil {
		return nil, wrap(fmt.Errorf("%w: key id: %v", ErrInvalid, err))
	}
	if _, err := ParsePublicKeyPEM(d.PublicKey.PublicKeyPem); err != nil {
		return nil, wrap(fmt.Errorf("%w: public key: %v", ErrInvalid, err))
	}
	kind := model.GroupKind(d.Kind)
	switch {
	case d.Kind == "" && d.ManuallyApproves != nil && !*d.ManuallyApproves:
		kind = model.GroupOpen
	case d.Kind == "":
		kind = model.GroupClosed
	case !kind.Valid():
		return nil, wrap(fmt.Errorf("%w: group kind %q", ErrInvalid, d.Kind))
	}
	name := d.Name
	if name == "" {
		name = d.PreferredUsername
	}
	return &RemoteGroup{Group: model.Group{
		Name: strings.ToLower(d.PreferredUsername), Domain: strings.ToLower(id.Host), URI: d.ID,
		InboxURI: d.Inbox, SharedInboxURI: d.Endpoints.SharedInbox, DisplayName: name,
		Kind: kind, SiteOnly: d.SiteOnly, PreModeration: d.PreModeration, DescriptionHTML: d.Summary, PublicKeyPEM: d.PublicKey.PublicKeyPem,
	}, AvatarURL: pictureURL(d.ID, d.Icon), BannerURL: pictureURL(d.ID, d.Image)}, nil
}
