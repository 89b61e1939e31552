package cluster_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/httpsig"
)

// refusedLogged counts the refusals n has logged.
func refusedLogged(n *cluster.Node) int {
	return strings.Count(n.Logs(), `msg="federation request refused"`)
}

// sameCounts fails when the row counts of n changed.
func sameCounts(t *testing.T, n *cluster.Node, before map[string]int) {
	t.Helper()
	if after := n.Counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("%s changed: %v, was %v", n.Name, after, before)
	}
}

// signedRequest builds a POST of body to path on n, signed by s.
func signedRequest(t *testing.T, n *cluster.Node, s *federation.Signer, path string, body []byte) *http.Request {
	t.Helper()
	req := n.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", activitypub.ActivityContentType)
	if err := s.Sign(req, body); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestInboxRefusals sends forged, stale, tampered and oversized requests to a node's real
// inbox: each is refused with its status, logged, and changes nothing; a non-peer's
// request makes the node contact nobody; a replayed activity is applied once.
func TestInboxRefusals(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			berlin.User("alice")
			bob := munich.User("bob")
			carol := munich.User("carol")
			bobSigner := munich.AccountSigner(bob)
			stranger := cluster.StartRecorder(t)
			mallory := &model.Account{ID: "mallory", Username: "mallory", URI: stranger.URL + "/users/mallory"}
			strangerSigner := cluster.NewSigner(t, activitypub.KeyID(mallory.URI), mustKey(t), nil)

			note := munich.NewNote(bob, "<p>hello</p>", model.AudienceCompany)
			create := munich.CreateOf(bob, note)
			// Carol claims to create a note attributed to Bob.
			carolsCreate := bytes.Replace(create, []byte(`"actor":"`+bob.URI+`"`), []byte(`"actor":"`+carol.URI+`"`), 1)
			if bytes.Equal(carolsCreate, create) {
				t.Fatalf("cannot find the actor in %s", create)
			}
			big := bytes.Repeat([]byte(" "), int(berlin.Config.MaxBodyBytes)+1)
			copy(big, create)

			cases := []struct {
				name string
				req  func() *http.Request
				want int
				// reason is what the refusal's log line must say.
				reason string
			}{
				{"unsigned", func() *http.Request {
					req := berlin.NewRequest(http.MethodPost, "/inbox", create)
					req.Header.Set("Content-Type", activitypub.ActivityContentType)
					return req
				}, http.StatusUnauthorized, "request is not signed"},
				{"unsigned to a user's inbox", func() *http.Request {
					req := berlin.NewRequest(http.MethodPost, "/users/alice/inbox", create)
					req.Header.Set("Content-Type", activitypub.ActivityContentType)
					return req
				}, http.StatusUnauthorized, "request is not signed"},
				{"non-peer's key", func() *http.Request {
					return signedRequest(t, berlin, strangerSigner, "/inbox", cluster.CreateJSON(t, stranger.URL, mallory, cluster.NewNote(stranger.URL, mallory, "<p>hi</p>", model.AudienceCompany)))
				}, http.StatusForbidden, "not an allowed peer"},
				{"Date 10 minutes old", func() *http.Request {
					s := cluster.NewSigner(t, bobSigner.KeyID(), munich.AccountKey(bob), func() time.Time { return time.Now().Add(-10 * time.Minute) })
					return signedRequest(t, berlin, s, "/inbox", create)
				}, http.StatusUnauthorized, "Date header outside"},
				{"Date 10 minutes ahead", func() *http.Request {
					s := cluster.NewSigner(t, bobSigner.KeyID(), munich.AccountKey(bob), func() time.Time { return time.Now().Add(10 * time.Minute) })
					return signedRequest(t, berlin, s, "/inbox", create)
				}, http.StatusUnauthorized, "Date header outside"},
				{"body changed after signing", func() *http.Request {
					req := signedRequest(t, berlin, bobSigner, "/inbox", create)
					tampered := bytes.Replace(create, []byte("hello"), []byte("HELLO"), 1)
					req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(tampered)), int64(len(tampered))
					req.GetBody = nil
					return req
				}, http.StatusBadRequest, "Digest does not match"},
				{"Digest not covered", func() *http.Request {
					return signCovering(t, berlin, munich.AccountKey(bob), bobSigner.KeyID(), create,
						[]string{httpsig.RequestTarget, "host", "date"})
				}, http.StatusUnauthorized, "not covered by the signature: digest"},
				{"Host not covered", func() *http.Request {
					return signCovering(t, berlin, munich.AccountKey(bob), bobSigner.KeyID(), create,
						[]string{httpsig.RequestTarget, "date", "digest"})
				}, http.StatusUnauthorized, "not covered by the signature: host"},
				{"signed for another node", func() *http.Request {
					req := signedRequest(t, munich, bobSigner, "/inbox", create)
					req.URL.Host = berlin.Host // sent to Berlin, Host still Munich's
					return req
				}, http.StatusUnauthorized, "signed for another host"},
				{"actor is not the key's owner", func() *http.Request {
					return signedRequest(t, berlin, munich.AccountSigner(carol), "/inbox", create)
				}, http.StatusUnauthorized, "key not owned by the actor"},
				{"node key speaking for a user", func() *http.Request {
					return signedRequest(t, berlin, munich.NodeSigner(), "/inbox", create)
				}, http.StatusUnauthorized, "key not owned by the actor"},
				{"Create attributed to someone else", func() *http.Request {
					return signedRequest(t, berlin, munich.AccountSigner(carol), "/inbox", carolsCreate)
				}, http.StatusForbidden, "attributed to"},
				{"not JSON", func() *http.Request {
					return signedRequest(t, berlin, bobSigner, "/inbox", []byte("hello"))
				}, http.StatusBadRequest, "invalid document"},
				{"oversized, with a length", func() *http.Request {
					return signedRequest(t, berlin, bobSigner, "/inbox", big)
				}, http.StatusRequestEntityTooLarge, "body of"},
				{"oversized, chunked", func() *http.Request {
					req := signedRequest(t, berlin, bobSigner, "/inbox", big)
					req.Body, req.ContentLength, req.GetBody = io.NopCloser(io.MultiReader(bytes.NewReader(big))), -1, nil
					return req
				}, http.StatusRequestEntityTooLarge, "request body too large"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before, logged := berlin.Counts(), refusedLogged(berlin)
					if got := berlin.Do(c.req()).Status; got != c.want {
						t.Errorf("status %d, want %d", got, c.want)
					}
					sameCounts(t, berlin, before)
					logs := berlin.Logs()
					if refusedLogged(berlin) != logged+1 {
						t.Errorf("the refusal was not logged once")
					} else if last := logs[strings.LastIndex(logs, `msg="federation request refused"`):]; !strings.Contains(last, c.reason) {
						t.Errorf("refused for another reason than %q: %s", c.reason, strings.SplitN(last, "\n", 2)[0])
					}
				})
			}
			if stranger.Hits() != 0 {
				t.Errorf("Berlin contacted the non-peer %d times", stranger.Hits())
			}
			if hasPost(berlin, note.URI) {
				t.Fatal("a refused Create was stored")
			}

			t.Run("replay", func(t *testing.T) {
				before := berlin.Counts()
				req := signedRequest(t, berlin, bobSigner, "/inbox", create)
				replay := req.Clone(ctx)
				replay.Body, _ = req.GetBody()
				for i, r := range []*http.Request{req, replay} {
					if got := berlin.Do(r).Status; got != http.StatusAccepted {
						t.Fatalf("sending %d: status %d, want 202", i+1, got)
					}
				}
				after := berlin.Counts()
				if after["posts"] != before["posts"]+1 || after["processed_activities"] != before["processed_activities"]+1 {
					t.Errorf("posts %d→%d, activities %d→%d: want one each", before["posts"], after["posts"],
						before["processed_activities"], after["processed_activities"])
				}
				if !hasPost(berlin, note.URI) {
					t.Fatal("the Create was not stored")
				}

				// The same activity id again, with other content and a fresh signature:
				// the id was applied once and is not applied again.
				edited := note.CreatedAt.Add(time.Minute)
				note.HTML, note.EditedAt, note.UpdatedAt = "<p>first edit</p>", &edited, edited
				update := munich.UpdateOf(bob, note)
				if got := berlin.SignedPost(bobSigner, "/inbox", update).Status; got != http.StatusAccepted {
					t.Fatalf("update: %d", got)
				}
				note.HTML = "<p>second edit, same id</p>"
				if got := berlin.SignedPost(bobSigner, "/inbox", munich.UpdateOf(bob, note)).Status; got != http.StatusAccepted {
					t.Fatalf("replayed update: %d", got)
				}
				if got := copyOf(t, berlin, note.URI).HTML; got != "<p>first edit</p>" {
					t.Errorf("after a replayed Update id the content is %q", got)
				}
				if edits, err := berlin.Store.PostEdits(ctx, copyOf(t, berlin, note.URI).ID); err != nil || len(edits) != 1 {
					t.Errorf("history: %d versions, %v; want 1", len(edits), err)
				}
			})
		})
	}
}

// signCovering signs a POST of body to n's inbox with key, covering only headers.
func signCovering(t *testing.T, n *cluster.Node, key interface{}, keyID string, body []byte, headers []string) *http.Request {
	t.Helper()
	req := n.NewRequest(http.MethodPost, "/inbox", body)
	req.Header.Set("Content-Type", activitypub.ActivityContentType)
	req.Header.Set("Host", req.URL.Host)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignRequest(key, keyID, req, body); err != nil {
		t.Fatal(err)
	}
	return req
}

// mustKey returns an RSA-2048 key of the fixtures.
func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := testrig.Keys()()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
