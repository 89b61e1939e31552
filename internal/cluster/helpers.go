package cluster

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
	"github.com/oklog/ulid/v2"
)

// Response is what a node answered to a raw request.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// AccountSigner returns a Signer that speaks for the local account acct of n with the
// account's own private key, as n's delivery worker does.
func (n *Node) AccountSigner(acct *model.Account) *federation.Signer {
	n.t.Helper()
	return NewSigner(n.t, activitypub.KeyID(acct.URI), n.AccountKey(acct), nil)
}

// AccountKey returns the private key of acct, a local account of n, as stored now.
func (n *Node) AccountKey(acct *model.Account) *rsa.PrivateKey {
	n.t.Helper()
	stored, err := n.Store.Account(context.Background(), acct.ID)
	if err != nil {
		n.t.Fatalf("%s: account %s: %v", n.Name, acct.Username, err)
	}
	return parseKey(n.t, stored.PrivateKeyPEM)
}

// NodeSigner returns a Signer for n's node actor (<origin>/actor#main-key).
func (n *Node) NodeSigner() *federation.Signer {
	n.t.Helper()
	return NewSigner(n.t, activitypub.KeyID(federation.NodeActorURI(n.URL)), n.NodeKey(), nil)
}

// NodeKey returns the private key of n's node actor.
func (n *Node) NodeKey() *rsa.PrivateKey {
	n.t.Helper()
	k, err := n.Store.NodeKey(context.Background())
	if err != nil {
		n.t.Fatalf("%s: node key: %v", n.Name, err)
	}
	return parseKey(n.t, k.PrivateKeyPEM)
}

// NewSigner returns a Signer for keyID with key; now is its clock (nil: time.Now), which
// lets a test sign with a skewed Date.
func NewSigner(t testing.TB, keyID string, key *rsa.PrivateKey, now func() time.Time) *federation.Signer {
	t.Helper()
	s, err := federation.NewSigner(keyID, key, now)
	if err != nil {
		t.Fatalf("signer %s: %v", keyID, err)
	}
	return s
}

// parseKey decodes a PKCS#8 or PKCS#1 RSA private key.
func parseKey(t testing.TB, pemText string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		t.Fatal("private key: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("private key: %v", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("private key is %T", k)
	}
	return rk
}

// SignedPost POSTs body to path on n as ActivityPub JSON, signed by s (unsigned when s
// is nil), and returns the answer.
func (n *Node) SignedPost(s *federation.Signer, path string, body []byte) Response {
	n.t.Helper()
	req := n.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", activitypub.ActivityContentType)
	if s != nil {
		if err := s.Sign(req, body); err != nil {
			n.t.Fatalf("sign POST %s: %v", path, err)
		}
	}
	return n.Do(req)
}

// SignedGet GETs path on n asking for ActivityPub JSON, signed by s (unsigned when s is
// nil), and returns the answer.
func (n *Node) SignedGet(s *federation.Signer, path string) Response {
	n.t.Helper()
	req := n.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", activitypub.ActivityContentType)
	if s != nil {
		if err := s.Sign(req, nil); err != nil {
			n.t.Fatalf("sign GET %s: %v", path, err)
		}
	}
	return n.Do(req)
}

// NewRequest builds a request for path (or a full URL on n) with body.
func (n *Node) NewRequest(method, path string, body []byte) *http.Request {
	n.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = n.URL + path
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		n.t.Fatalf("request %s %s: %v", method, u, err)
	}
	return req
}

// Do sends req as is, without following redirects, and returns the answer.
func (n *Node) Do(req *http.Request) Response {
	n.t.Helper()
	c := &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// NewNote returns a post by author, a local account of n, that is not stored anywhere:
// the object of a raw Create a test sends itself. html is its content as sent.
func (n *Node) NewNote(author *model.Account, html string, audience model.Audience) *model.Post {
	return NewNote(n.URL, author, html, audience)
}

// NewNote returns a post by author of the node at origin, stored nowhere.
func NewNote(origin string, author *model.Account, html string, audience model.Audience) *model.Post {
	now := time.Now().UTC().Truncate(time.Second)
	id := ulid.Make().String()
	return &model.Post{ID: id, URI: model.NewURIs(origin).Post(id), AccountID: author.ID, Audience: audience,
		HTML: html, Local: true, CreatedAt: now, UpdatedAt: now}
}

// CreateOf returns the JSON of the Create of p by author, as n's outbox would build it.
func (n *Node) CreateOf(author *model.Account, p *model.Post) []byte {
	n.t.Helper()
	return CreateJSON(n.t, n.URL, author, p)
}

// CreateJSON returns the JSON of the Create of p by author, of the node at origin.
func CreateJSON(t testing.TB, origin string, author *model.Account, p *model.Post) []byte {
	t.Helper()
	a, err := activitypub.NewCreate(activitypub.PostActivity{URIs: model.NewURIs(origin), Post: p, Author: author})
	if err != nil {
		t.Fatalf("build Create: %v", err)
	}
	return marshal(t, origin, a)
}

// UpdateOf returns the JSON of the Update of p by author; p.EditedAt names the edit.
func (n *Node) UpdateOf(author *model.Account, p *model.Post) []byte {
	n.t.Helper()
	a, err := activitypub.NewUpdate(activitypub.PostActivity{URIs: model.NewURIs(n.URL), Post: p, Author: author})
	if err != nil {
		n.t.Fatalf("build Update: %v", err)
	}
	return marshal(n.t, n.URL, a)
}

// ProfileUpdateOf returns the JSON of the Update of acct's Person, a local account of n.
func (n *Node) ProfileUpdateOf(acct *model.Account) []byte {
	n.t.Helper()
	a, err := activitypub.NewUpdatePerson(model.NewURIs(n.URL), acct, activitypub.PersonExtras{})
	if err != nil {
		n.t.Fatalf("build Update of a Person: %v", err)
	}
	return marshal(n.t, n.URL, a)
}

// marshal serializes an activity with the context of the node at origin.
func marshal(t testing.TB, origin string, a vocab.Type) []byte {
	t.Helper()
	b, err := activitypub.Marshal(origin, a)
	if err != nil {
		t.Fatalf("marshal %s: %v", a.GetTypeName(), err)
	}
	return b
}

// Deliveries returns every delivery row of n, newest first.
func (n *Node) Deliveries() []*model.Delivery {
	n.t.Helper()
	var all []*model.Delivery
	before := ""
	for {
		page, err := n.Store.ListDeliveries(context.Background(), storage.DeliveryFilter{Before: before, Limit: 500})
		if err != nil {
			n.t.Fatalf("%s: deliveries: %v", n.Name, err)
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all
		}
		before = page[len(page)-1].ID
	}
}

// DeliveriesTo returns n's delivery rows addressed to other's node.
func (n *Node) DeliveriesTo(other *Node) []*model.Delivery {
	n.t.Helper()
	var out []*model.Delivery
	for _, d := range n.Deliveries() {
		if o, err := activitypub.Origin(d.InboxURI); err == nil && o == other.URL {
			out = append(out, d)
		}
	}
	return out
}

// Count returns the number of rows of a table of n's database.
func (n *Node) Count(table string) int {
	n.t.Helper()
	c, err := n.Store.DB().NewSelect().Table(table).Count(context.Background())
	if err != nil {
		n.t.Fatalf("%s: count %s: %v", n.Name, table, err)
	}
	return int(c)
}

// Counts snapshots the row counts of the tables remote activities change, so that a test
// can check that a refused request changed nothing.
func (n *Node) Counts() map[string]int {
	n.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"posts", "post_edits", "follows", "reactions", "processed_activities", "deliveries"} {
		out[table] = n.Count(table)
	}
	return out
}

// Requests counts the HTTP requests n has served so far, from its request log.
func (n *Node) Requests() int {
	return strings.Count(n.Logs(), "msg=request ")
}

// Settle waits until no node has a pending delivery left: everything queued, including
// what receiving caused (an Accept answering a Follow), has been delivered or given up.
func Settle(t testing.TB, nodes ...*Node) {
	t.Helper()
	// One sweep over the nodes can miss a delivery that a later node's inbox queued on an
	// earlier node (a group relaying a member's post) while the sweep was under way. So the
	// queues count as settled only when two sweeps in a row find nothing pending and the
	// same number of finished deliveries: nothing moved in between.
	last := -1
	Eventually(t, "every delivery sent", func() bool {
		finished := 0
		pending := 0
		for _, n := range nodes {
			c, err := n.Store.DeliveryCounts(context.Background())
			if err != nil {
				t.Fatalf("%s: delivery counts: %v", n.Name, err)
			}
			pending += c[model.DeliveryPending]
			finished += c[model.DeliveryDelivered] + c[model.DeliveryFailed] + c[model.DeliveryCancelled]
		}
		if pending > 0 {
			last = -1
			return false
		}
		settled := finished == last
		last = finished
		return settled
	})
}

// Recorder is an HTTP server standing for a node that is no peer: it answers 404 to
// everything and counts the requests it gets, which must stay zero.
type Recorder struct {
	// URL is its origin.
	URL  string
	hits atomic.Int64
}

// Hits is how many requests the recorder has received.
func (r *Recorder) Hits() int64 { return r.hits.Load() }

// StartRecorder runs a Recorder on a loopback port until the test ends.
func StartRecorder(t testing.TB) *Recorder {
	t.Helper()
	rec := &Recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// ServeHTTP counts the request and answers 404.
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.hits.Add(1)
	http.NotFound(w, req)
}
