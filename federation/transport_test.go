package federation

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
)

// inboxNode is a test node whose handlers verify signatures and record deliveries.
type inboxNode struct {
	srv       *httptest.Server
	mu        sync.Mutex
	delivered []string
}

func newInboxNode(t *testing.T) *inboxNode {
	t.Helper()
	v := NewVerifier(keyring{aliceKeyID: {&testKey(t, 1).PublicKey, aliceActor}}, fixedClock(t0))
	n := &inboxNode{}
	mux := http.NewServeMux()
	mux.HandleFunc("/inbox", func(w http.ResponseWriter, r *http.Request) {
		res, err := v.Verify(r)
		if err != nil {
			http.Error(w, err.Error(), StatusCode(err))
			return
		}
		n.mu.Lock()
		n.delivered = append(n.delivered, string(res.Body))
		n.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("/users/bob", func(w http.ResponseWriter, r *http.Request) {
		if _, err := v.Verify(r); err != nil {
			http.Error(w, err.Error(), StatusCode(err))
			return
		}
		w.Header().Set("Content-Type", activitypub.ActivityContentType)
		io.WriteString(w, `{"id":"bob"}`)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>")
	})
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/users/bob", http.StatusFound)
	})
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.srv.Close)
	return n
}

func (n *inboxNode) url(t *testing.T, path string) *url.URL {
	u, err := url.Parse(n.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newTestTransport(t *testing.T, n *inboxNode) *Transport {
	s, err := NewSigner(aliceKeyID, testKey(t, 1), fixedClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	return NewTransport(n.srv.Client(), s, "atrium/test")
}

func TestTransportDereference(t *testing.T) {
	n := newInboxNode(t)
	tr := newTestTransport(t, n)
	ctx := context.Background()
	b, err := tr.Dereference(ctx, n.url(t, "/users/bob"))
	if err != nil || string(b) != `{"id":"bob"}` {
		t.Fatalf("Dereference = %q, %v", b, err)
	}
	var se *StatusError
	if _, err := tr.Dereference(ctx, n.url(t, "/redirect")); !errors.As(err, &se) || se.Code != http.StatusFound {
		t.Errorf("redirect: err = %v, want a 302 StatusError (not followed)", err)
	}
	if _, err := tr.Dereference(ctx, n.url(t, "/html")); err == nil {
		t.Error("accepted text/html")
	}
	if _, err := tr.Dereference(ctx, &url.URL{Scheme: "file", Path: "/etc/passwd"}); err == nil {
		t.Error("dereferenced a file URL")
	}
}

func TestTransportDeliver(t *testing.T) {
	n := newInboxNode(t)
	tr := newTestTransport(t, n)
	ctx := context.Background()
	activity := []byte(`{"type":"Create","actor":"` + aliceActor + `"}`)
	if err := tr.Deliver(ctx, activity, n.url(t, "/inbox")); err != nil {
		t.Fatal(err)
	}
	// Duplicates collapse: one request per inbox.
	inbox := n.url(t, "/inbox")
	if err := tr.BatchDeliver(ctx, activity, []*url.URL{inbox, inbox, n.url(t, "/inbox")}); err != nil {
		t.Fatal(err)
	}
	if len(n.delivered) != 2 || n.delivered[0] != string(activity) {
		t.Errorf("delivered %q", n.delivered)
	}

	for _, tc := range []struct {
		path      string
		temporary bool
	}{
		{"/busy", true},
		{"/gone", false},
	} {
		var se *StatusError
		err := tr.Deliver(ctx, activity, n.url(t, tc.path))
		if !errors.As(err, &se) || se.Temporary() != tc.temporary {
			t.Errorf("%s: err = %v, want temporary=%v", tc.path, err, tc.temporary)
		}
	}
	err := tr.BatchDeliver(ctx, activity, []*url.URL{n.url(t, "/busy"), n.url(t, "/inbox")})
	if err == nil || len(n.delivered) != 3 {
		t.Errorf("batch with one failure: err = %v, delivered %d", err, len(n.delivered))
	}
}
