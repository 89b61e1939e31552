package federation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// testKey loads one of the shared precomputed test keys (internal/testrig/keys), read
// directly so that these tests do not build the database packages.
func testKey(t *testing.T, n int) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testrig", "keys", fmt.Sprintf("key%d.pem", n)))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// keyring is a KeyResolver over a fixed map.
type keyring map[string]struct {
	pub   crypto.PublicKey
	owner string
}

var errNoSuchKey = errors.New("no such key")

func (k keyring) ResolveKey(_ context.Context, keyID string) (crypto.PublicKey, string, error) {
	e, ok := k[keyID]
	if !ok {
		return nil, "", errNoSuchKey
	}
	return e.pub, e.owner, nil
}

const (
	aliceActor = "http://127.0.0.1:8081/users/alice"
	aliceKeyID = aliceActor + "#main-key"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// fixture is a signer for alice, a keyring that knows her and a few hostile keys, and a
// server that verifies every request and reports the outcome.
type fixture struct {
	signer   *Signer
	keys     keyring
	verifier *Verifier
	srv      *httptest.Server
	results  chan result
}

type result struct {
	v   *Verified
	err error
	// body is what the handler could still read after Verify.
	body []byte
}

func newFixture(t *testing.T, verifierClock time.Time, opts ...VerifierOption) *fixture {
	t.Helper()
	alice := testKey(t, 1)
	s, err := NewSigner(aliceKeyID, alice, fixedClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{signer: s, results: make(chan result, 1)}
	f.keys = keyring{
		aliceKeyID: {&alice.PublicKey, aliceActor},
		// A key served by 8082 that claims to be alice's.
		"http://127.0.0.1:8082/users/mallory#main-key": {&testKey(t, 2).PublicKey, aliceActor},
		// A key that is not RSA.
		"http://127.0.0.1:8081/users/odd#main-key": {"not a key", "http://127.0.0.1:8081/users/odd"},
	}
	v := NewVerifier(f.keys, fixedClock(verifierClock), opts...)
	f.verifier = v
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := v.Verify(r)
		body, _ := io.ReadAll(r.Body)
		f.results <- result{v: res, err: err, body: body}
		w.WriteHeader(StatusCode(err))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// send signs a request with f.signer, lets tamper change it, sends it and returns what the
// server's verifier said.
func (f *fixture) send(t *testing.T, method, path string, body []byte, tamper func(r *http.Request)) (result, int) {
	t.Helper()
	r, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/activity+json")
	if err := f.signer.Sign(r, body); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(r)
	}
	resp, err := f.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return <-f.results, resp.StatusCode
}

func setBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
}

// resign replaces the Signature header with one made by a raw httpsig signer.
func resign(t *testing.T, key crypto.PrivateKey, keyID string, alg httpsig.Algorithm, headers []string) func(r *http.Request) {
	return func(r *http.Request) {
		r.Header.Del("Signature")
		s, _, err := httpsig.NewSigner([]httpsig.Algorithm{alg}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SignRequest(key, keyID, r, nil); err != nil {
			t.Fatal(err)
		}
		// Name the algorithm really used, as other implementations do.
		r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="hs2019"`, `algorithm="`+string(alg)+`"`, 1))
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	f := newFixture(t, t0.Add(299*time.Second))
	body := []byte(`{"type":"Create","actor":"` + aliceActor + `"}`)
	for _, tc := range []struct {
		method string
		path   string
		body   []byte
	}{
		{http.MethodGet, "/users/bob", nil},
		{http.MethodGet, "/users/bob/outbox?page=true", nil},
		{http.MethodHead, "/users/bob", nil},
		{http.MethodPost, "/inbox", body},
		{http.MethodPost, "/inbox", nil},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			res, status := f.send(t, tc.method, tc.path, tc.body, nil)
			if res.err != nil || status != http.StatusOK {
				t.Fatalf("verify: %v (status %d)", res.err, status)
			}
			if res.v.Owner != aliceActor || res.v.KeyID != aliceKeyID {
				t.Errorf("verified %+v", res.v)
			}
			if err := res.v.SignedBy(aliceActor); err != nil {
				t.Error(err)
			}
			if err := res.v.SignedBy("http://127.0.0.1:8081/users/bob"); !errors.Is(err, ErrKeyOwnerMismatch) {
				t.Errorf("SignedBy(bob) = %v", err)
			}
			if tc.method == http.MethodPost {
				if !bytes.Equal(res.v.Body, tc.body) || !bytes.Equal(res.body, tc.body) {
					t.Errorf("body: verified %q, handler read %q", res.v.Body, res.body)
				}
			}
		})
	}
}

func TestSignSetsHeaders(t *testing.T) {
	s, err := NewSigner(aliceKeyID, testKey(t, 1), fixedClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8082/inbox", nil)
	if err := s.Sign(r, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"Host":   "127.0.0.1:8082",
		"Date":   "Wed, 02 Jan 2030 03:04:05 GMT",
		"Digest": "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r.Host != "127.0.0.1:8082" {
		t.Errorf("r.Host = %q", r.Host)
	}
	sig := r.Header.Get("Signature")
	for _, part := range []string{`keyId="` + aliceKeyID + `"`, `algorithm="rsa-sha256"`, `headers="(request-target) host date digest"`} {
		if !strings.Contains(sig, part) {
			t.Errorf("Signature %q lacks %s", sig, part)
		}
	}

	g, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8082/users/bob", nil)
	if err := s.Sign(g, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.Header.Get("Signature"), `headers="(request-target) host date"`) || g.Header.Get("Digest") != "" {
		t.Errorf("GET signature %q digest %q", g.Header.Get("Signature"), g.Header.Get("Digest"))
	}
	if err := s.Sign(g, []byte("x")); err == nil {
		t.Error("signed a GET with a body")
	}
	if _, err := NewSigner(aliceKeyID, "not a key", nil); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("NewSigner(non-RSA) = %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	alice := testKey(t, 1)
	body := []byte(`{"type":"Create"}`)
	for _, tc := range []struct {
		name   string
		method string
		clock  time.Time
		opts   []VerifierOption
		tamper func(t *testing.T, f *fixture) func(r *http.Request)
		want   error
		status int
	}{
		{name: "no signature", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Del("Signature") }
		}, want: ErrMissingSignature, status: 401},
		{name: "tampered body", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { setBody(r, []byte(`{"type":"Delete"}`)) }
		}, want: ErrDigestMismatch, status: 400},
		{name: "sha-256 right, sha-512 wrong", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Digest", r.Header.Get("Digest")+",SHA-512=AAAA") }
		}, want: ErrDigestMismatch, status: 400},
		{name: "tampered body and digest", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				evil := []byte(`{"type":"Delete"}`)
				setBody(r, evil)
				r.Header.Set("Digest", "SHA-256=ZOCsuAb5O/UqU7+3LtSwjDgKrjb4BjHD8R/iYGWCOro=")
			}
		}, want: ErrDigestMismatch, status: 400},
		{name: "tampered header", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Date", t0.Add(time.Second).Format(http.TimeFormat)) }
		}, want: ErrBadSignature, status: 401},
		{name: "tampered path", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.URL.Path = "/users/bob/inbox" }
		}, want: ErrBadSignature, status: 401},
		{name: "tampered signature", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `signature="`, `signature="AAAA`, 1))
			}
		}, want: ErrBadSignature, status: 401},
		{name: "missing digest", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Del("Digest") }
		}, want: ErrMissingDigest, status: 400},
		{name: "sha-512 digest only", method: http.MethodPost, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				sum := sha512.Sum512(body)
				r.Header.Set("Digest", "SHA-512="+base64.StdEncoding.EncodeToString(sum[:]))
			}
		}, want: ErrMissingDigest, status: 400},
		{name: "digest not covered", method: http.MethodPost, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, aliceKeyID, httpsig.RSA_SHA256, []string{httpsig.RequestTarget, "host", "date"})
		}, want: ErrHeadersNotCovered, status: 401},
		{name: "host not covered", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, aliceKeyID, httpsig.RSA_SHA256, []string{httpsig.RequestTarget, "date"})
		}, want: ErrHeadersNotCovered, status: 401},
		{name: "date not covered", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, aliceKeyID, httpsig.RSA_SHA256, []string{httpsig.RequestTarget, "host"})
		}, want: ErrHeadersNotCovered, status: 401},
		{name: "request target not covered", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, aliceKeyID, httpsig.RSA_SHA256, []string{"host", "date"})
		}, want: ErrHeadersNotCovered, status: 401},
		{name: "default headers", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", `keyId="`+aliceKeyID+`",algorithm="rsa-sha256",signature="AAAA"`)
			}
		}, want: ErrHeadersNotCovered, status: 401},
		{name: "old date", method: http.MethodPost, clock: t0.Add(301 * time.Second), want: ErrDateSkew, status: 401},
		{name: "future date", method: http.MethodGet, clock: t0.Add(-301 * time.Second), want: ErrDateSkew, status: 401},
		{name: "two dates", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Add("Date", r.Header.Get("Date")) }
		}, want: ErrMissingHeader, status: 400},
		{name: "unknown key", method: http.MethodPost, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, "http://127.0.0.1:8081/users/nobody#main-key", httpsig.RSA_SHA256, postHeaders)
		}, want: ErrUnknownKey, status: 401},
		{name: "key of another node claiming alice", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, testKey(t, 2), "http://127.0.0.1:8082/users/mallory#main-key", httpsig.RSA_SHA256, getHeaders)
		}, want: ErrKeyOwnerMismatch, status: 401},
		{name: "non-RSA key", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, "http://127.0.0.1:8081/users/odd#main-key", httpsig.RSA_SHA256, getHeaders)
		}, want: ErrUnsupportedAlgorithm, status: 401},
		{name: "signed by another key", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, testKey(t, 3), aliceKeyID, httpsig.RSA_SHA256, getHeaders)
		}, want: ErrBadSignature, status: 401},
		{name: "rsa-sha512", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, alice, aliceKeyID, httpsig.RSA_SHA512, getHeaders)
		}, want: ErrUnsupportedAlgorithm, status: 401},
		{name: "hmac", method: http.MethodGet, tamper: func(t *testing.T, f *fixture) func(*http.Request) {
			return resign(t, []byte("secret"), aliceKeyID, httpsig.HMAC_SHA256, getHeaders)
		}, want: ErrUnsupportedAlgorithm, status: 401},
		{name: "hs2019 means rsa-sha256 (accepted)", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "hs2019", 1))
			}
		}, want: nil, status: 200},
		{name: "algorithm renamed", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "rsa-sha1", 1))
			}
		}, want: ErrUnsupportedAlgorithm, status: 401},
		{name: "repeated keyId", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", `keyId="http://127.0.0.1:8081/users/odd#main-key",`+r.Header.Get("Signature"))
			}
		}, want: ErrMalformedSignature, status: 400},
		{name: "created parameter", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Signature", r.Header.Get("Signature")+`,created="1"`) }
		}, want: ErrMalformedSignature, status: 400},
		{name: "unquoted value", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Signature", "keyId=x,signature=y") }
		}, want: ErrMalformedSignature, status: 400},
		{name: "two signatures", method: http.MethodGet, tamper: func(*testing.T, *fixture) func(*http.Request) {
			return func(r *http.Request) { r.Header.Add("Signature", r.Header.Get("Signature")) }
		}, want: ErrMalformedSignature, status: 400},
		{name: "body too large", method: http.MethodPost, opts: []VerifierOption{WithMaxBody(8)}, want: ErrBodyTooLarge, status: 413},
		{name: "signed for another node", method: http.MethodGet, opts: []VerifierOption{WithHost("127.0.0.1:8081")}, want: ErrWrongHost, status: 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := tc.clock
			if clock.IsZero() {
				clock = t0
			}
			f := newFixture(t, clock, tc.opts...)
			var tamper func(*http.Request)
			if tc.tamper != nil {
				tamper = tc.tamper(t, f)
			}
			var b []byte
			if tc.method == http.MethodPost {
				b = body
			}
			res, status := f.send(t, tc.method, "/inbox", b, tamper)
			if !errors.Is(res.err, tc.want) {
				t.Fatalf("err = %v, want %v", res.err, tc.want)
			}
			if tc.want != nil && res.v != nil {
				t.Errorf("verified %+v despite the error", res.v)
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
}

func TestVerifyWithHost(t *testing.T) {
	f := newFixture(t, t0)
	// The server's port is known only once it runs; the host check is case-insensitive.
	f.verifier.host = strings.ToLower(strings.ToUpper(strings.TrimPrefix(f.srv.URL, "http://")))
	res, status := f.send(t, http.MethodGet, "/users/bob", nil, nil)
	if res.err != nil || status != http.StatusOK {
		t.Fatalf("verify with the right host: %v", res.err)
	}
	// The same request replayed with the Host of another node, which did sign it.
	res, _ = f.send(t, http.MethodGet, "/users/bob", nil, func(r *http.Request) { r.Host = "127.0.0.1:1" })
	if !errors.Is(res.err, ErrWrongHost) {
		t.Errorf("other host: err = %v", res.err)
	}
}
