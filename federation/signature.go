// Package federation is the ActivityPub glue of a node: HTTP signatures, WebFinger, and
// (with the federation issue) peer policy, the inbox and the delivery queue.
package federation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/go-fed/httpsig"
)

// Signature errors. The inbox maps them to HTTP statuses with StatusCode.
var (
	// ErrMissingSignature means the request carries no Signature header.
	ErrMissingSignature = errors.New("federation: request is not signed")
	// ErrMalformedSignature means the Signature header cannot be parsed unambiguously.
	ErrMalformedSignature = errors.New("federation: malformed Signature header")
	// ErrUnsupportedAlgorithm means a signature algorithm or key type other than RSA-SHA256.
	ErrUnsupportedAlgorithm = errors.New("federation: unsupported signature algorithm")
	// ErrHeadersNotCovered means the signature leaves out a header the profile requires.
	ErrHeadersNotCovered = errors.New("federation: required headers not covered by the signature")
	// ErrMissingHeader means a covered header is absent or repeated.
	ErrMissingHeader = errors.New("federation: covered header missing or repeated")
	// ErrDateSkew means the Date header is too far from the verifier's clock.
	ErrDateSkew = errors.New("federation: Date header outside the allowed window")
	// ErrWrongHost means the request was signed for another node.
	ErrWrongHost = errors.New("federation: request signed for another host")
	// ErrMissingDigest means a request with a body has no usable SHA-256 Digest header.
	ErrMissingDigest = errors.New("federation: missing SHA-256 Digest")
	// ErrDigestMismatch means the Digest header does not match the body.
	ErrDigestMismatch = errors.New("federation: Digest does not match the body")
	// ErrBodyTooLarge means the body exceeds the verifier's limit.
	ErrBodyTooLarge = errors.New("federation: request body too large")
	// ErrUnknownKey means the key id could not be resolved to a public key.
	ErrUnknownKey = errors.New("federation: unknown signing key")
	// ErrKeyOwnerMismatch means a key's owner is not on the key's node, or not the actor.
	ErrKeyOwnerMismatch = errors.New("federation: key not owned by the actor")
	// ErrBadSignature means the signature does not verify.
	ErrBadSignature = errors.New("federation: signature does not verify")
)

// StatusCode is the HTTP status an inbox or signed endpoint answers for a Verify error.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMalformedSignature), errors.Is(err, ErrMissingDigest),
		errors.Is(err, ErrDigestMismatch), errors.Is(err, ErrMissingHeader):
		return http.StatusBadRequest
	default:
		return http.StatusUnauthorized
	}
}

// Defaults of the profile.
const (
	// DefaultMaxSkew is how far a Date header may be from the receiver's clock.
	DefaultMaxSkew = 300 * time.Second
	// DefaultMaxBody bounds the signed body a verifier reads.
	DefaultMaxBody = 1 << 20
)

// Algorithm names accepted in the Signature header. hs2019 defers to the key type, and
// only RSA keys are accepted, so it means rsa-sha256 here.
const (
	algRSASHA256 = "rsa-sha256"
	algHS2019    = "hs2019"
)

// Covered headers the profile requires, lower-case as in the Signature header.
var (
	getHeaders  = []string{httpsig.RequestTarget, "host", "date"}
	postHeaders = []string{httpsig.RequestTarget, "host", "date", "digest"}
)

// hasBody reports whether requests of method carry a signed body: all but GET and HEAD.
func hasBody(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// requiredHeaders is the covered-header list for a method.
func requiredHeaders(method string) []string {
	if hasBody(method) {
		return postHeaders
	}
	return getHeaders
}

// Signer signs outgoing requests with one actor's key. It is safe for concurrent use.
type Signer struct {
	keyID string
	key   *rsa.PrivateKey
	now   func() time.Time
}

// NewSigner returns a Signer for the RSA key whose public half is published at keyID.
// now is the clock for the Date header; nil means time.Now.
func NewSigner(keyID string, key crypto.PrivateKey, now func() time.Time) (*Signer, error) {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: signing key is %T, want *rsa.PrivateKey", ErrUnsupportedAlgorithm, key)
	}
	if _, err := activitypub.ParseIRI(keyID); err != nil {
		return nil, fmt.Errorf("federation: signer key id: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{keyID: keyID, key: rk, now: now}, nil
}

// KeyID is the key id the signer puts in its signatures.
func (s *Signer) KeyID() string { return s.keyID }

// Sign signs r for sending: GET and HEAD cover (request-target) host date; other methods
// also cover a Digest of body, and body becomes r's body so what is sent is what was signed.
func (s *Signer) Sign(r *http.Request, body []byte) error {
	if r.URL == nil || r.URL.Host == "" {
		return errors.New("federation: sign: request URL has no host")
	}
	headers := requiredHeaders(r.Method)
	withBody := hasBody(r.Method)
	if !withBody && len(body) > 0 {
		return fmt.Errorf("federation: sign: %s request with a body", r.Method)
	}
	// Go's client sends r.Host and ignores a Host entry in r.Header, while httpsig signs
	// the r.Header entry; setting both to the same value keeps the signed and the sent
	// Host equal (go-fed's own transport forgets this).
	r.Host = r.URL.Host
	r.Header.Set("Host", r.URL.Host)
	r.Header.Set("Date", s.now().UTC().Format(http.TimeFormat))
	r.Header.Del("Digest")
	r.Header.Del("Signature")

	// httpsig signers keep per-call state and are not safe for concurrent use: make one
	// per request; it is cheap.
	hs, alg, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("federation: sign: %w", err)
	}
	if alg != httpsig.RSA_SHA256 {
		return fmt.Errorf("%w: httpsig chose %s", ErrUnsupportedAlgorithm, alg)
	}
	var signedBody []byte
	if withBody {
		signedBody = body
		if signedBody == nil {
			signedBody = []byte{}
		}
	}
	if err := hs.SignRequest(s.key, s.keyID, r, signedBody); err != nil {
		return fmt.Errorf("federation: sign %s %s: %w", r.Method, r.URL, err)
	}
	// httpsig v1.1.0 always writes algorithm="hs2019". The profile names rsa-sha256, which
	// every receiver understands; the Signature header is not itself signed, so naming the
	// algorithm we really used changes nothing in the signature.
	sig := r.Header.Get("Signature")
	if !strings.Contains(sig, `algorithm="`+algHS2019+`"`) {
		return fmt.Errorf("federation: sign: unexpected Signature header from httpsig: %q", sig)
	}
	r.Header.Set("Signature", strings.Replace(sig, `algorithm="`+algHS2019+`"`, `algorithm="`+algRSASHA256+`"`, 1))
	if withBody {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return nil
}

// KeyResolver finds the public key behind a keyId, typically by fetching the actor
// document (signed by the node actor) or reading a cached remote account. It must
// only return keys it got from the key's own node, and ownerActorURI is the actor the
// key document names as owner.
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string) (pub crypto.PublicKey, ownerActorURI string, err error)
}

// Verified is the outcome of a successful verification.
type Verified struct {
	// KeyID is the keyId of the signature.
	KeyID string
	// Owner is the actor that owns the key; the inbox compares it with the activity actor.
	Owner string
	// Body is the request body that the Digest covers; nil for GET and HEAD.
	Body []byte
}

// SignedBy checks that the signing key belongs to actor.
func (v *Verified) SignedBy(actor string) error {
	if v == nil || v.Owner != actor {
		return fmt.Errorf("%w: key owner is not %q", ErrKeyOwnerMismatch, actor)
	}
	return nil
}

// Verifier checks signed incoming requests. It is safe for concurrent use.
type Verifier struct {
	keys    KeyResolver
	now     func() time.Time
	maxSkew time.Duration
	maxBody int64
	host    string
}

// VerifierOption adjusts a Verifier.
type VerifierOption func(*Verifier)

// WithMaxSkew sets the allowed Date skew (default DefaultMaxSkew).
func WithMaxSkew(d time.Duration) VerifierOption { return func(v *Verifier) { v.maxSkew = d } }

// WithMaxBody sets the largest body read for Digest checks (default DefaultMaxBody).
func WithMaxBody(n int64) VerifierOption { return func(v *Verifier) { v.maxBody = n } }

// WithHost makes the verifier require this Host (the node's own host:port), so that a
// request signed for one node cannot be replayed to another.
func WithHost(host string) VerifierOption {
	return func(v *Verifier) { v.host = strings.ToLower(host) }
}

// NewVerifier returns a Verifier resolving keys with keys; now is its clock (nil: time.Now).
func NewVerifier(keys KeyResolver, now func() time.Time, opts ...VerifierOption) *Verifier {
	if now == nil {
		now = time.Now
	}
	v := &Verifier{keys: keys, now: now, maxSkew: DefaultMaxSkew, maxBody: DefaultMaxBody}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Verify checks the HTTP signature of r per the Atrium profile and returns the key owner.
// For requests with a body it reads the body (up to the limit), checks its Digest, and
// leaves r.Body readable again. Cheap checks run before the key is resolved, so that a
// junk request never makes the node fetch anything.
func (v *Verifier) Verify(r *http.Request) (*Verified, error) {
	sig, err := parseSignatureHeader(r.Header)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(sig.algorithm) {
	case "", algRSASHA256, algHS2019:
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, sig.algorithm)
	}
	// httpsig only verifies bytes; which headers are covered is ours to enforce.
	if missing := uncovered(sig.headers, requiredHeaders(r.Method)); len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrHeadersNotCovered, strings.Join(missing, ", "))
	}

	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	if host == "" {
		return nil, fmt.Errorf("%w: Host", ErrMissingHeader)
	}
	if v.host != "" && strings.ToLower(host) != v.host {
		return nil, fmt.Errorf("%w: %q, this node is %q", ErrWrongHost, host, v.host)
	}
	if err := v.checkDate(r.Header); err != nil {
		return nil, err
	}

	res := &Verified{KeyID: sig.keyID}
	if hasBody(r.Method) {
		if res.Body, err = v.checkDigest(r); err != nil {
			return nil, err
		}
	}

	pub, owner, err := v.keys.ResolveKey(r.Context(), sig.keyID)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrUnknownKey, sig.keyID, err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: key %q is %T", ErrUnsupportedAlgorithm, sig.keyID, pub)
	}
	if rk.N.BitLen() < activitypub.MinRSABits {
		return nil, fmt.Errorf("%w: key %q has %d bits", ErrUnsupportedAlgorithm, sig.keyID, rk.N.BitLen())
	}
	// A key served by one node must not speak for another node's actors.
	if !activitypub.SameOrigin(sig.keyID, owner) {
		return nil, fmt.Errorf("%w: key %q claims owner %q", ErrKeyOwnerMismatch, sig.keyID, owner)
	}
	res.Owner = owner

	// httpsig reads the Host from r.Header, where Go's server does not keep it; verify a
	// copy whose Host entry is the one the request arrived with.
	rc := r.Clone(r.Context())
	rc.Header.Set("Host", host)
	hv, err := httpsig.NewVerifier(rc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedSignature, err)
	}
	// httpsig parses the header its own way; refuse anything on which the two parsers differ.
	if hv.KeyId() != sig.keyID {
		return nil, fmt.Errorf("%w: ambiguous keyId", ErrMalformedSignature)
	}
	if err := hv.Verify(rk, httpsig.RSA_SHA256); err != nil {
		return nil, fmt.Errorf("%w: key %q: %v", ErrBadSignature, sig.keyID, err)
	}
	return res, nil
}

// checkDate requires exactly one Date header within maxSkew of the clock, either way.
func (v *Verifier) checkDate(h http.Header) error {
	vals := h.Values("Date")
	if len(vals) != 1 {
		return fmt.Errorf("%w: Date", ErrMissingHeader)
	}
	d, err := http.ParseTime(vals[0])
	if err != nil {
		return fmt.Errorf("%w: Date %q: %v", ErrMalformedSignature, vals[0], err)
	}
	skew := v.now().Sub(d)
	if skew < 0 {
		skew = -skew
	}
	if skew > v.maxSkew {
		return fmt.Errorf("%w: Date %s is %s from now", ErrDateSkew, vals[0], skew.Round(time.Second))
	}
	return nil
}

// checkDigest reads the body (bounded) and compares it with every Digest value Atrium
// knows, requiring SHA-256 among them.
func (v *Verifier) checkDigest(r *http.Request) ([]byte, error) {
	vals := r.Header.Values("Digest")
	if len(vals) != 1 {
		return nil, fmt.Errorf("%w: %d Digest headers", ErrMissingDigest, len(vals))
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, v.maxBody+1))
		if err != nil {
			return nil, fmt.Errorf("federation: read body: %w", err)
		}
		if int64(len(body)) > v.maxBody {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, v.maxBody)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	sawSHA256 := false
	for _, part := range strings.Split(vals[0], ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%w: malformed Digest %q", ErrDigestMismatch, vals[0])
		}
		var sum []byte
		switch strings.ToUpper(alg) {
		case "SHA-256":
			s := sha256.Sum256(body)
			sum = s[:]
			sawSHA256 = true
		case "SHA-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		got, err := base64.StdEncoding.DecodeString(val)
		if err != nil || subtle.ConstantTimeCompare(got, sum) != 1 {
			return nil, fmt.Errorf("%w: %s", ErrDigestMismatch, alg)
		}
	}
	if !sawSHA256 {
		return nil, fmt.Errorf("%w: Digest %q has no SHA-256 value", ErrMissingDigest, vals[0])
	}
	return body, nil
}

// uncovered lists the required headers missing from covered.
func uncovered(covered, required []string) []string {
	have := make(map[string]bool, len(covered))
	for _, h := range covered {
		have[strings.ToLower(h)] = true
	}
	var missing []string
	for _, h := range required {
		if !have[h] {
			missing = append(missing, h)
		}
	}
	return missing
}

// signatureParams are the parameters of a cavage-12 Signature header.
type signatureParams struct {
	keyID     string
	algorithm string
	headers   []string
	signature string
}

// parseSignatureHeader parses the single Signature header strictly: quoted values,
// no repeated parameters, and no created/expires, which httpsig would check against
// the real clock instead of ours.
func parseSignatureHeader(h http.Header) (*signatureParams, error) {
	vals := h.Values("Signature")
	if len(vals) == 0 {
		return nil, ErrMissingSignature
	}
	if len(vals) > 1 {
		return nil, fmt.Errorf("%w: %d Signature headers", ErrMalformedSignature, len(vals))
	}
	params := map[string]string{}
	rest := strings.TrimSpace(vals[0])
	for rest != "" {
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, fmt.Errorf("%w: parameter without value", ErrMalformedSignature)
		}
		k = strings.TrimSpace(k)
		if !strings.HasPrefix(after, `"`) {
			return nil, fmt.Errorf("%w: %s is not quoted", ErrMalformedSignature, k)
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("%w: unterminated %s", ErrMalformedSignature, k)
		}
		val := after[1 : 1+end]
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("%w: repeated %s", ErrMalformedSignature, k)
		}
		params[k] = val
		rest = strings.TrimSpace(after[2+end:])
		if rest != "" {
			if rest[0] != ',' {
				return nil, fmt.Errorf("%w: expected ',' after %s", ErrMalformedSignature, k)
			}
			rest = strings.TrimSpace(rest[1:])
		}
	}
	p := &signatureParams{keyID: params["keyId"], algorithm: params["algorithm"], signature: params["signature"]}
	if p.keyID == "" || p.signature == "" {
		return nil, fmt.Errorf("%w: keyId and signature are required", ErrMalformedSignature)
	}
	if _, ok := params["created"]; ok {
		return nil, fmt.Errorf("%w: created is not supported", ErrMalformedSignature)
	}
	if _, ok := params["expires"]; ok {
		return nil, fmt.Errorf("%w: expires is not supported", ErrMalformedSignature)
	}
	if hs, ok := params["headers"]; ok {
		p.headers = strings.Split(hs, " ")
		for _, x := range p.headers {
			if x == "" || x == "(created)" || x == "(expires)" {
				return nil, fmt.Errorf("%w: headers %q", ErrMalformedSignature, hs)
			}
		}
	} else {
		p.headers = []string{"date"} // the cavage default
	}
	return p, nil
}
