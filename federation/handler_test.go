package federation

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// distinctKeys returns the eight precomputed test keys, all different.
func distinctKeys(t *testing.T) []*rsa.PrivateKey {
	t.Helper()
	gen := testrig.Keys()
	out := make([]*rsa.PrivateKey, 8)
	for i := range out {
		k, err := gen()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

func publicPEM(t *testing.T, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// fakePeer is another node on loopback: it serves its node actor and its users' Person
// documents (only to signed requests) and signs what its users send.
type fakePeer struct {
	t       *testing.T
	srv     *httptest.Server
	origin  string
	nodeKey *rsa.PrivateKey
	now     func() time.Time

	mu    sync.Mutex
	users map[string]*rsa.PrivateKey
	// personFetches counts GETs of Person documents (key fetches and refreshes).
	personFetches atomic.Int32
}

func newFakePeer(t *testing.T, now func() time.Time, nodeKey *rsa.PrivateKey) *fakePeer {
	p := &fakePeer{t: t, nodeKey: nodeKey, now: now, users: map[string]*rsa.PrivateKey{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	p.origin = p.srv.URL
	return p
}

func (p *fakePeer) actor(name string) string { return p.origin + "/users/" + name }

// setUser publishes (or rotates) the key of user name.
func (p *fakePeer) setUser(name string, k *rsa.PrivateKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[name] = k
}

func (p *fakePeer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Signature") == "" {
		http.Error(w, "unsigned", http.StatusUnauthorized)
		return
	}
	var doc interface{}
	switch {
	case r.URL.Path == "/actor":
		doc = map[string]interface{}{
			"@context": activitypub.Context(p.origin), "id": p.origin + "/actor", "type": "Application",
			"inbox": p.origin + "/inbox", "publicKey": map[string]string{"id": p.origin + "/actor#main-key",
				"owner": p.origin + "/actor", "publicKeyPem": publicPEM(p.t, p.nodeKey)},
		}
	case strings.HasPrefix(r.URL.Path, "/users/"):
		name := strings.TrimPrefix(r.URL.Path, "/users/")
		p.mu.Lock()
		k, ok := p.users[name]
		p.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		p.personFetches.Add(1)
		a := &model.Account{Username: name, URI: p.actor(name), InboxURI: p.actor(name) + "/inbox",
			SharedInboxURI: p.origin + "/inbox", DisplayName: strings.ToUpper(name), Role: model.RoleMember,
			AboutHTML: `<p>About <script>alert(1)</script></p>`, PublicKeyPEM: publicPEM(p.t, k)}
		person, err := activitypub.PersonToAS(a, activitypub.PersonExtras{})
		if err != nil {
			p.t.Error(err)
			return
		}
		doc, err = activitypub.Serialize(p.origin, person)
		if err != nil {
			p.t.Error(err)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", activitypub.ActivityContentType)
	_ = json.NewEncoder(w).Encode(doc)
}

// signerFor signs as user name (or as the node actor for "").
func (p *fakePeer) signerFor(name string, key *rsa.PrivateKey, now func() time.Time) *Signer {
	p.t.Helper()
	keyID := p.origin + "/actor#main-key"
	if name != "" {
		keyID = activitypub.KeyID(p.actor(name))
	}
	s, err := NewSigner(keyID, key, now)
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// world is node A under test, with sibling peer B, partner peer C and non-peer D.
type world struct {
	t      *testing.T
	ctx    context.Context
	store  *storage.Store
	svc    *social.Service
	clock  *testrig.Clock
	srv    *httptest.Server
	origin string
	keys   []*rsa.PrivateKey
	b, c   *fakePeer
	d      *fakePeer
	logs   *bytes.Buffer
}

func newWorld(t *testing.T, store *storage.Store) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), store: store, clock: testrig.NewClock(), keys: distinctKeys(t)}
	w.srv = httptest.NewUnstartedServer(nil)
	w.origin = "http://" + w.srv.Listener.Addr().String()
	deps := testrig.SocialDeps(t, store)
	deps.URIs = model.NewURIs(w.origin)
	deps.Now = w.clock.Now
	w.svc = social.New(deps)
	w.b = newFakePeer(t, w.clock.Now, w.keys[0])
	w.b.setUser("bob", w.keys[1])
	w.b.setUser("carol", w.keys[2])
	w.c = newFakePeer(t, w.clock.Now, w.keys[4])
	w.c.setUser("pat", w.keys[5])
	w.d = newFakePeer(t, w.clock.Now, w.keys[6])
	w.d.setUser("dave", w.keys[7])
	for origin, trust := range map[string]model.Trust{w.b.origin: model.TrustSibling, w.c.origin: model.TrustPartner} {
		norm, _ := activitypub.Origin(origin)
		if err := store.SavePeer(w.ctx, &model.Peer{Origin: norm, Trust: trust, CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.BaseURL = w.origin
	cfg.SiteName = "Berlin"
	w.logs = &bytes.Buffer{}
	h, err := NewHandler(HandlerOptions{Config: cfg, Store: store, Social: w.svc, Now: w.clock.Now,
		NewKey: testrig.Keys(), Client: &http.Client{Timeout: 10 * time.Second}, MaxBody: 64 << 10,
		Log: testLogger(w.logs)})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.Config.Handler = h
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) member(name string) *model.Account {
	w.t.Helper()
	return testrig.CreateAccount(w.t, w.svc, name, model.RoleMember)
}

// post sends body to A's path as a POST signed by signer.
func (w *world) post(path string, body []byte, signer *Signer, tamper func(r *http.Request)) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.origin+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", activitypub.ActivityContentType)
	if signer != nil {
		if err := signer.Sign(req, body); err != nil {
			w.t.Fatal(err)
		}
	} else {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	if tamper != nil {
		tamper(req)
	}
	return w.do(req)
}

// get fetches A's path, signed by signer when it is not nil.
func (w *world) get(path string, signer *Signer) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.origin+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Accept", activitypub.ActivityContentType)
	if signer != nil {
		if err := signer.Sign(req, nil); err != nil {
			w.t.Fatal(err)
		}
	}
	return w.do(req)
}

func (w *world) do(req *http.Request) (int, string) {
	w.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *world) count(table, where string, args ...interface{}) int {
	w.t.Helper()
	n, err := w.store.DB().NewSelect().TableExpr(table).Where(where, args...).Count(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return int(n)
}

// seq numbers activity ids.
var seq atomic.Int64

// activity builds an activity of actor on peer p.
func activity(p *fakePeer, actor, typ string, object interface{}) map[string]interface{} {
	return map[string]interface{}{
		"@context": activitypub.Context(p.origin),
		"id":       fmt.Sprintf("%s/activities/%d", p.actor(actor), seq.Add(1)),
		"type":     typ, "actor": p.actor(actor), "object": object,
	}
}

// note builds a Note by actor on p addressed to the company.
func note(p *fakePeer, actor, text string) map[string]interface{} {
	return map[string]interface{}{
		"id": fmt.Sprintf("%s/posts/%d", p.origin, seq.Add(1)), "type": "Note",
		"attributedTo": p.actor(actor), "content": text, "published": "2026-11-25T08:00:00Z",
		"to": p.origin + "/company",
	}
}

func mustJSON(t *testing.T, v interface{}) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func testLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(&syncBuffer{buf: buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
