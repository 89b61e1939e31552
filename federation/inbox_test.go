package federation

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/httpsig"
)

func TestInboxAcceptsAndAppliesOnce(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorld(t, store)
		alice := w.member("alice")
		bob := w.b.signerFor("bob", w.keys[1], w.clock.Now)

		follow := mustJSON(t, activity(w.b, "bob", "Follow", alice.URI))
		if code, body := w.post("/inbox", follow, bob, nil); code != http.StatusAccepted {
			t.Fatalf("follow: %d %s", code, body)
		}
		if n := w.count("follows", "followee_id = ? AND accepted", alice.ID); n != 1 {
			t.Fatalf("%d follows stored", n)
		}
		// The actor was fetched, cached and its profile sanitized.
		cached, err := store.AccountByURI(w.ctx, w.b.actor("bob"))
		if err != nil || cached.Domain == "" || strings.Contains(cached.AboutHTML, "script") || cached.FetchedAt == nil {
			t.Fatalf("cached actor: %+v %v", cached, err)
		}

		n := note(w.b, "bob", "<p>Hello <img src=x onerror=alert(1)></p>")
		create := mustJSON(t, activity(w.b, "bob", "Create", n))
		for i := 0; i < 3; i++ {
			// A replay (same id) is acknowledged and changes nothing.
			if code, body := w.post("/inbox", create, bob, nil); code != http.StatusAccepted {
				t.Fatalf("create #%d: %d %s", i, code, body)
			}
		}
		if c := w.count("posts", "uri = ?", n["id"]); c != 1 {
			t.Fatalf("%d copies of the post", c)
		}
		p, _ := store.PostByURI(w.ctx, n["id"].(string))
		if strings.Contains(p.HTML, "onerror") {
			t.Errorf("stored unsanitized HTML %q", p.HTML)
		}
		// The personal inbox takes activities too.
		like := mustJSON(t, activity(w.b, "bob", "Like", n["id"]))
		if code, body := w.post("/users/alice/inbox", like, bob, nil); code != http.StatusAccepted {
			t.Fatalf("like: %d %s", code, body)
		}
		if code, _ := w.post("/users/nobody/inbox", like, bob, nil); code != http.StatusNotFound {
			t.Errorf("inbox of unknown user: %d", code)
		}
		// Unknown activity types are acknowledged and ignored.
		if code, _ := w.post("/inbox", mustJSON(t, activity(w.b, "bob", "Announce", n["id"])), bob, nil); code != http.StatusAccepted {
			t.Errorf("Announce: %d", code)
		}
	})
}

func TestInboxRefusals(t *testing.T) {
	store := testrig.NewStore(t, "sqlite")
	w := newWorld(t, store)
	alice := w.member("alice")
	bobKey, carolKey := w.keys[1], w.keys[2]
	bob := w.b.signerFor("bob", bobKey, w.clock.Now)
	follow := func() []byte { return mustJSON(t, activity(w.b, "bob", "Follow", alice.URI)) }
	late := func() time.Time { return w.clock.Peek().Add(6 * time.Minute) }

	for _, tc := range []struct {
		name   string
		body   []byte
		signer *Signer
		tamper func(r *http.Request)
		want   int
	}{
		{"non-peer", mustJSON(t, activity(w.d, "dave", "Follow", alice.URI)), w.d.signerFor("dave", w.keys[7], w.clock.Now), nil, http.StatusForbidden},
		{"missing signature", follow(), nil, nil, http.StatusUnauthorized},
		{"bad signature", follow(), w.b.signerFor("bob", carolKey, w.clock.Now), nil, http.StatusUnauthorized},
		{"date skew", follow(), w.b.signerFor("bob", bobKey, late), nil, http.StatusUnauthorized},
		{"digest mismatch", follow(), bob, func(r *http.Request) {
			b := mustJSON(t, activity(w.b, "bob", "Follow", alice.URI+"x"))
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}, http.StatusBadRequest},
		{"digest not covered", follow(), bob, func(r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.Header.Del("Signature")
			hs, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
				[]string{httpsig.RequestTarget, "host", "date"}, httpsig.Signature, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := hs.SignRequest(bobKey, bob.KeyID(), r, nil); err != nil {
				t.Fatal(err)
			}
		}, http.StatusUnauthorized},
		{"key owner is not the actor", mustJSON(t, activity(w.b, "carol", "Follow", alice.URI)), bob, nil, http.StatusUnauthorized},
		{"attributedTo is not the actor", mustJSON(t, activity(w.b, "bob", "Create", note(w.b, "carol", "forged"))), bob, nil, http.StatusForbidden},
		{"oversized", append(follow()[:0:0], bytes.Repeat([]byte(" "), 70<<10)...), bob, nil, http.StatusRequestEntityTooLarge},
		{"oversized, chunked", append(follow()[:0:0], bytes.Repeat([]byte(" "), 70<<10)...), bob, func(r *http.Request) {
			r.ContentLength = -1
		}, http.StatusRequestEntityTooLarge},
		{"malformed", []byte(`{"type": "Follow",`), bob, nil, http.StatusBadRequest},
		{"object of another node", mustJSON(t, activity(w.b, "bob", "Delete", w.origin+"/posts/1")), bob, nil, http.StatusBadRequest},
		{"company post from a partner", mustJSON(t, activity(w.c, "pat", "Create", note(w.c, "pat", "hi"))), w.c.signerFor("pat", w.keys[5], w.clock.Now), nil, http.StatusForbidden},
		{"follow of unknown user", mustJSON(t, activity(w.b, "bob", "Follow", w.origin+"/users/nobody")), bob, nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.count("processed_activities", "1 = 1")
			code, body := w.post("/inbox", tc.body, tc.signer, tc.tamper)
			if code != tc.want {
				t.Fatalf("status %d (%s), want %d", code, body, tc.want)
			}
			if n := w.count("processed_activities", "1 = 1"); n != before {
				t.Errorf("refused activity recorded")
			}
			if n := w.count("follows", "1 = 1") + w.count("posts", "1 = 1"); n != 0 {
				t.Errorf("refused activity stored %d rows", n)
			}
		})
	}
	// Every refusal is logged with its reason.
	if got := strings.Count(w.logs.String(), "federation request refused"); got < 14 {
		t.Errorf("%d refusals logged:\n%s", got, w.logs.String())
	}
	// The non-peer's key was never fetched.
	if n := w.d.personFetches.Load(); n != 0 {
		t.Errorf("non-peer contacted %d times", n)
	}
}

func TestInboxKeyRotation(t *testing.T) {
	store := testrig.NewStore(t, "sqlite")
	w := newWorld(t, store)
	alice := w.member("alice")
	send := func(key int) int {
		code, body := w.post("/inbox", mustJSON(t, activity(w.b, "bob", "Follow", alice.URI)), w.b.signerFor("bob", w.keys[key], w.clock.Now), nil)
		if code >= 500 {
			t.Fatalf("%d %s", code, body)
		}
		return code
	}
	if code := send(1); code != http.StatusAccepted {
		t.Fatalf("first: %d", code)
	}
	if n := w.b.personFetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	if code := send(1); code != http.StatusAccepted {
		t.Fatalf("cached key: %d", code)
	}
	if n := w.b.personFetches.Load(); n != 1 {
		t.Errorf("cached key fetched again (%d)", n)
	}
	// bob's node rotates his key: the cached one fails, one refetch finds the new one.
	w.b.setUser("bob", w.keys[3])
	if code := send(3); code != http.StatusAccepted {
		t.Fatalf("rotated key: %d", code)
	}
	if n := w.b.personFetches.Load(); n != 2 {
		t.Errorf("%d fetches after rotation, want 2", n)
	}
	cached, _ := store.AccountByURI(w.ctx, w.b.actor("bob"))
	if cached.PublicKeyPEM != publicPEM(t, w.keys[3]) {
		t.Error("cache not updated to the rotated key")
	}
	// The old key no longer works, and a failure after a fresh fetch is not retried.
	if code := send(1); code != http.StatusUnauthorized {
		t.Errorf("old key: %d", code)
	}
	if n := w.b.personFetches.Load(); n != 3 {
		t.Errorf("%d fetches, want exactly one refetch per failure (3)", n)
	}
}
