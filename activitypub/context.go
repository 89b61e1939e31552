// Package activitypub converts between Atrium's model and ActivityStreams 2.0 (go-fed streams)
// and holds the Atrium JSON-LD context. Only the federation package imports it.
package activitypub

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Well-known JSON-LD contexts and IRIs.
const (
	// ActivityStreamsContext is the ActivityStreams 2.0 context IRI.
	ActivityStreamsContext = "https://www.w3.org/ns/activitystreams"
	// SecurityContext is the context that defines publicKey, owner and publicKeyPem.
	SecurityContext = "https://w3id.org/security/v1"
	// Prefix is the compact-IRI prefix of Atrium terms, as in "atrium:role".
	Prefix = "atrium"
	// ContextPath is where a node serves the Atrium context document.
	ContextPath = "/ns"
	// ActivityContentType is the media type of ActivityPub documents.
	ActivityContentType = `application/activity+json`
	// LDContentType is the JSON-LD media type ActivityPub also accepts.
	LDContentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Atrium terms, as they appear (compacted) in documents.
const (
	TermRole         = Prefix + ":role"
	TermSite         = Prefix + ":site"
	TermDepartment   = Prefix + ":department"
	TermJobTitle     = Prefix + ":jobTitle"
	TermManager      = Prefix + ":manager"
	TermGuestExpires = Prefix + ":guestExpires"
	TermGroupKind    = Prefix + ":groupKind"
	TermSiteOnly     = Prefix + ":siteOnly"
	// TermPreModeration says a group holds its members' posts for its moderators.
	TermPreModeration = Prefix + ":preModeration"
	// TermSkills is a person's skill tags, a set of strings.
	TermSkills = Prefix + ":skills"
	// TermProfileWithheld marks a Person served without its profile: the requesting
	// node's users may not see the person, only verify its signatures. A JSON boolean,
	// expanded through the atrium prefix; it needs no entry in the context.
	TermProfileWithheld = Prefix + ":profileWithheld"
)

// Values of atrium:role.
const (
	RoleMember = "member"
	RoleGuest  = "guest"
)

// publicIRIs are the spellings of as:Public; Atrium never sends them and refuses them.
var publicIRIs = []string{
	ActivityStreamsContext + "#Public",
	"as:Public",
	"Public",
}

// IsPublic reports whether iri is one of the spellings of the as:Public collection.
func IsPublic(iri string) bool {
	for _, p := range publicIRIs {
		if iri == p {
			return true
		}
	}
	return false
}

// ContextURL is the address of the Atrium context document of the node at origin.
func ContextURL(origin string) string { return strings.TrimRight(origin, "/") + ContextPath }

// NamespaceIRI is the IRI the atrium prefix expands to for the node at origin.
//
// Each node names its own copy of the vocabulary because nodes live on intranets and
// cannot reach a shared host; receivers match terms by their compact "atrium:" keys.
func NamespaceIRI(origin string) string { return ContextURL(origin) + "#" }

// contextTerms is the term map shared by the context document and outgoing @context.
func contextTerms(origin string) map[string]interface{} {
	typed := func(term, typ string) map[string]interface{} {
		return map[string]interface{}{"@id": term, "@type": typ}
	}
	return map[string]interface{}{
		Prefix:            NamespaceIRI(origin),
		"xsd":             "http://www.w3.org/2001/XMLSchema#",
		TermRole:          map[string]interface{}{"@id": TermRole},
		TermSite:          map[string]interface{}{"@id": TermSite},
		TermDepartment:    map[string]interface{}{"@id": TermDepartment},
		TermJobTitle:      map[string]interface{}{"@id": TermJobTitle},
		TermManager:       typed(TermManager, "@id"),
		TermSkills:        map[string]interface{}{"@id": TermSkills, "@container": "@set"},
		TermGuestExpires:  typed(TermGuestExpires, "xsd:dateTime"),
		TermGroupKind:     map[string]interface{}{"@id": TermGroupKind},
		TermSiteOnly:      typed(TermSiteOnly, "xsd:boolean"),
		TermPreModeration: typed(TermPreModeration, "xsd:boolean"),
		// Hashtag is missing from the ActivityStreams context; Mastodon defines it the same way.
		"Hashtag": "as:Hashtag",
	}
}

// ContextDocument is the JSON-LD document a node serves at ContextURL(origin).
func ContextDocument(origin string) ([]byte, error) {
	b, err := json.MarshalIndent(map[string]interface{}{"@context": contextTerms(origin)}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("activitypub: marshal context document: %w", err)
	}
	return b, nil
}

// Context is the @context array put on every outgoing document of the node at origin.
//
// The Atrium terms are inlined rather than referenced by URL because every fetch on an
// Atrium node must be signed, so a JSON-LD processor could not load the document anonymously.
func Context(origin string) []interface{} {
	return []interface{}{ActivityStreamsContext, SecurityContext, contextTerms(origin)}
}
