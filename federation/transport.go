package federation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/go-fed/activity/pub"
)

// MaxFetchBytes bounds a document fetched from another node.
const MaxFetchBytes = activitypub.MaxDocumentBytes

// StatusError is a non-success answer from another node.
type StatusError struct {
	Method string
	URL    string
	Code   int
	// RetryAfter is the wait the server asked for with Retry-After (429, 503); zero for none.
	RetryAfter time.Duration
}

// Error describes the failed request.
func (e *StatusError) Error() string {
	return fmt.Sprintf("federation: %s %s: status %d", e.Method, e.URL, e.Code)
}

// Temporary reports whether retrying later may succeed: server errors, 408 and 429.
func (e *StatusError) Temporary() bool {
	return e.Code >= 500 || e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooManyRequests
}

// Transport is go-fed's pub.Transport for one signing actor. Unlike go-fed's own
// HttpSigTransport it signs the Host header it sends, bounds what it reads, and never
// follows redirects, which would carry a signed request to an address nobody vetted.
type Transport struct {
	client    *http.Client
	signer    *Signer
	userAgent string
}

var _ pub.Transport = (*Transport)(nil)

// NewTransport returns a Transport sending with a copy of client (which should have a
// timeout), signing with signer and announcing userAgent.
func NewTransport(client *http.Client, signer *Signer, userAgent string) *Transport {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Transport{client: &c, signer: signer, userAgent: userAgent}
}

// Dereference fetches iri with a signed GET and returns the ActivityPub document.
func (t *Transport) Dereference(ctx context.Context, iri *url.URL) ([]byte, error) {
	if iri == nil {
		return nil, errors.New("federation: dereference: nil IRI")
	}
	if _, err := activitypub.ParseIRI(iri.String()); err != nil {
		return nil, fmt.Errorf("federation: dereference: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, iri.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("federation: dereference %s: %w", iri, err)
	}
	req.Header.Set("Accept", activitypub.ActivityContentType+", "+activitypub.LDContentType)
	resp, err := t.do(req, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Method: req.Method, URL: iri.String(), Code: resp.StatusCode}
	}
	if !isActivityType(resp.Header.Get("Content-Type")) {
		return nil, fmt.Errorf("federation: dereference %s: content type %q", iri, resp.Header.Get("Content-Type"))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetchBytes+1))
	if err != nil {
		return nil, fmt.Errorf("federation: dereference %s: read: %w", iri, err)
	}
	if len(b) > MaxFetchBytes {
		return nil, fmt.Errorf("federation: dereference %s: document larger than %d bytes", iri, MaxFetchBytes)
	}
	return b, nil
}

// Deliver POSTs the activity b to the inbox to, signed; any 2xx answer is success and a
// *StatusError tells the delivery queue whether to retry.
func (t *Transport) Deliver(ctx context.Context, b []byte, to *url.URL) error {
	if to == nil {
		return errors.New("federation: deliver: nil inbox")
	}
	if _, err := activitypub.ParseIRI(to.String()); err != nil {
		return fmt.Errorf("federation: deliver: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.String(), nil)
	if err != nil {
		return fmt.Errorf("federation: deliver to %s: %w", to, err)
	}
	req.Header.Set("Content-Type", activitypub.LDContentType)
	resp, err := t.do(req, b)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Method: req.Method, URL: to.String(), Code: resp.StatusCode}
	}
	return nil
}

// BatchDeliver delivers b to each distinct inbox in turn and joins the errors. Atrium's
// delivery queue calls Deliver per row instead; this exists for go-fed's interface.
func (t *Transport) BatchDeliver(ctx context.Context, b []byte, recipients []*url.URL) error {
	seen := make(map[string]bool, len(recipients))
	var errs []error
	for _, to := range recipients {
		if to == nil || seen[to.String()] {
			continue
		}
		seen[to.String()] = true
		if err := t.Deliver(ctx, b, to); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// do signs and sends req.
func (t *Transport) do(req *http.Request, body []byte) (*http.Response, error) {
	if t.userAgent != "" {
		req.Header.Set("User-Agent", t.userAgent)
	}
	if err := t.signer.Sign(req, body); err != nil {
		return nil, err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("federation: %s %s: %w", req.Method, req.URL, err)
	}
	return resp, nil
}
