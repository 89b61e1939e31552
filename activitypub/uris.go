package activitypub

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Collections and keys hang off the actor IRI, the same layout Mastodon uses.

// KeyID is the id of an actor's main public key.
func KeyID(actor string) string { return actor + "#main-key" }

// OutboxURI is an actor's outbox.
func OutboxURI(actor string) string { return actor + "/outbox" }

// FollowersURI is an actor's followers collection, which the followers audience addresses.
func FollowersURI(actor string) string { return actor + "/followers" }

// FollowingURI is an actor's following collection.
func FollowingURI(actor string) string { return actor + "/following" }

// ErrInvalidIRI marks an identifier that is not an absolute http(s) URL; it wraps ErrInvalid.
var ErrInvalidIRI = fmt.Errorf("%w: invalid IRI", ErrInvalid)

// ParseIRI parses s as an absolute http or https URL without user info, the only form
// Atrium accepts for ids and links from other nodes.
func ParseIRI(s string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidIRI)
	}
	if len(s) > maxIRILength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidIRI, maxIRILength)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidIRI, s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q: scheme must be http or https", ErrInvalidIRI, s)
	}
	// url.Parse keeps "http:foo" as opaque; such IRIs have no origin to compare.
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q: no host", ErrInvalidIRI, s)
	}
	// User info would let "http://good.example@evil.example/" read as the good node.
	if u.User != nil {
		return nil, fmt.Errorf("%w: %q: user info not allowed", ErrInvalidIRI, s)
	}
	return u, nil
}

// maxIRILength bounds every IRI taken from a remote document.
const maxIRILength = 2048

// Origin is scheme://host:port of an http(s) IRI, lower-cased, the identity of a node.
// Default ports are made explicit so that "https://a" and "https://a:443" compare equal.
func Origin(iri string) (string, error) {
	u, err := ParseIRI(iri)
	if err != nil {
		return "", err
	}
	return originOf(u), nil
}

// originOf is Origin for a parsed URL.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	// JoinHostPort brackets IPv6 literals, so "::1" and port 8081 cannot run together.
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// SameOrigin reports whether a and b are valid IRIs on the same node.
func SameOrigin(a, b string) bool {
	oa, err := Origin(a)
	if err != nil {
		return false
	}
	ob, err := Origin(b)
	return err == nil && oa == ob
}

// ParsePublicKeyPEM decodes an RSA public key in PKIX ("PUBLIC KEY") or PKCS#1
// ("RSA PUBLIC KEY") PEM form, refusing keys shorter than 2048 bits.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("activitypub: public key: no PEM block")
	}
	var pub interface{}
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("activitypub: public key: unexpected PEM type %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("activitypub: public key: %w", err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("activitypub: public key: %T is not RSA", pub)
	}
	if rk.N.BitLen() < MinRSABits {
		return nil, fmt.Errorf("activitypub: public key: %d bits, want at least %d", rk.N.BitLen(), MinRSABits)
	}
	return rk, nil
}

// MinRSABits is the smallest RSA modulus accepted from other nodes.
const MinRSABits = 2048
