package activitypub

// Helpers that read go-fed properties of remote documents, with validation.

import (
	"fmt"
	"net/url"
	"sort"

	"github.com/go-fed/activity/streams/vocab"
)

// attributedTo returns the single author IRI of an object.
func attributedTo(prop vocab.ActivityStreamsAttributedToProperty) (string, error) {
	if prop == nil || prop.Len() == 0 {
		return "", fmt.Errorf("%w: attributedTo missing", ErrInvalid)
	}
	if prop.Len() != 1 {
		return "", fmt.Errorf("%w: attributedTo must name exactly one actor", ErrInvalid)
	}
	u, err := refIRI(prop.Begin())
	if err != nil {
		return "", fmt.Errorf("attributedTo: %w", err)
	}
	return u.String(), nil
}

// ref is what go-fed's IRI-or-object properties and iterators have in common.
type ref interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}

// refIRI is the IRI of a reference: the IRI itself, or the id of an embedded object.
func refIRI(r ref) (*url.URL, error) {
	if r.IsIRI() {
		return ParseIRI(r.GetIRI().String())
	}
	if t := r.GetType(); t != nil {
		return objectID(t)
	}
	return nil, fmt.Errorf("%w: neither an IRI nor an object with an id", ErrInvalid)
}

// recipients returns the IRIs of a to or cc property, at most MaxRecipients of them.
func recipients[I ref](name string, n int, at func(int) I) ([]string, error) {
	if n > MaxRecipients {
		return nil, fmt.Errorf("%w: %s names more than %d recipients", ErrInvalid, name, MaxRecipients)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		it := at(i)
		// as:Public is often written as the compact "as:Public", which go-fed keeps as an IRI
		// with scheme "as"; catch it before the http(s) check turns it into a generic error.
		if it.IsIRI() && IsPublic(it.GetIRI().String()) {
			return nil, ErrPublicAddressing
		}
		u, err := refIRI(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, u.String())
	}
	return out, nil
}

// objectID returns the validated id of t.
func objectID(t vocab.Type) (*url.URL, error) {
	id := t.GetJSONLDId()
	if id == nil || id.Get() == nil {
		return nil, fmt.Errorf("%w: id missing", ErrInvalid)
	}
	u, err := ParseIRI(id.Get().String())
	if err != nil {
		return nil, fmt.Errorf("%w: id: %v", ErrInvalid, err)
	}
	return u, nil
}

// sameOriginRef returns the IRI of prop, required on the node of base; "" when prop is unset.
func sameOriginRef(base, name string, prop ref) (string, error) {
	if prop == nil {
		return "", nil
	}
	u, err := refIRI(prop)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if !SameOrigin(base, u.String()) {
		return "", fmt.Errorf("%w: %s %q", ErrOriginMismatch, name, u)
	}
	return u.String(), nil
}

// textIter is a natural-language value: a plain string or a language map.
type textIter interface {
	IsXMLSchemaString() bool
	GetXMLSchemaString() string
	IsRDFLangString() bool
	GetRDFLangString() map[string]string
}

// textOf returns a plain string, or from a language map the value of the first language in
// sorted order so that the choice is stable.
func textOf(t textIter) (string, bool) {
	if t.IsXMLSchemaString() {
		return t.GetXMLSchemaString(), true
	}
	if t.IsRDFLangString() {
		m := t.GetRDFLangString()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			return m[keys[0]], true
		}
	}
	return "", false
}

// firstURL is the first valid http(s) IRI of a url property; "" when there is none.
func firstURL(prop vocab.ActivityStreamsUrlProperty) string {
	if prop == nil {
		return ""
	}
	for it := prop.Begin(); it != prop.End(); it = it.Next() {
		if it.IsIRI() {
			if u, err := ParseIRI(it.GetIRI().String()); err == nil {
				return u.String()
			}
		}
		if it.IsActivityStreamsLink() {
			if h := it.GetActivityStreamsLink().GetActivityStreamsHref(); h != nil && h.Get() != nil {
				if u, err := ParseIRI(h.Get().String()); err == nil {
					return u.String()
				}
			}
		}
	}
	return ""
}

// validUsername accepts the user names Atrium and Mastodon create: ASCII letters, digits,
// '_', '.', '-', at most 64 bytes. Anything else could be confusable in handles.
func validUsername(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%w: preferredUsername must be 1 to 64 bytes", ErrInvalid)
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return fmt.Errorf("%w: preferredUsername %q has characters outside [A-Za-z0-9_.-]", ErrInvalid, s)
		}
	}
	return nil
}
