package cluster_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

// TestAuthorizedFetch reads a node's ActivityPub documents unsigned, signed by a non-peer,
// signed with a stale Date and signed by a peer, and its HTML pages without a session:
// only the peer's signed reads succeed, and pages still want a login.
func TestAuthorizedFetch(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bob := munich.User("bob")
			post := publish(t, berlin, alice, "company news", model.AudienceCompany)
			stranger := cluster.StartRecorder(t)
			strangerSigner := cluster.NewSigner(t, stranger.URL+"/actor#main-key", mustKey(t), nil)
			stale := cluster.NewSigner(t, munich.NodeSigner().KeyID(), munich.NodeKey(),
				func() time.Time { return time.Now().Add(-6 * time.Minute) })

			docs := []string{"/users/alice", notePath(t, post), "/company", "/users/alice/followers",
				"/users/alice/following", "/users/alice/outbox", "/actor/outbox"}
			for _, path := range docs {
				t.Run(path, func(t *testing.T) {
					if got := berlin.SignedGet(nil, path).Status; got != http.StatusUnauthorized {
						t.Errorf("unsigned: %d, want 401", got)
					}
					if got := berlin.SignedGet(strangerSigner, path).Status; got != http.StatusForbidden {
						t.Errorf("signed by a non-peer: %d, want 403", got)
					}
					if got := berlin.SignedGet(stale, path).Status; got != http.StatusUnauthorized {
						t.Errorf("signed 6 minutes ago: %d, want 401", got)
					}
					for _, s := range []struct {
						name string
						resp cluster.Response
					}{{"node", berlin.SignedGet(munich.NodeSigner(), path)}, {"user", berlin.SignedGet(munich.AccountSigner(bob), path)}} {
						if s.resp.Status != http.StatusOK || !strings.HasPrefix(s.resp.Header.Get("Content-Type"), activitypub.ActivityContentType) {
							t.Errorf("signed by the peer's %s: %d %q, want 200 ActivityPub JSON", s.name, s.resp.Status, s.resp.Header.Get("Content-Type"))
						}
					}
				})
			}
			if stranger.Hits() != 0 {
				t.Errorf("Berlin contacted the non-peer %d times", stranger.Hits())
			}
			if got := berlin.SignedGet(munich.NodeSigner(), "/users/nobody").Status; got != http.StatusNotFound {
				t.Errorf("unknown user: %d, want 404", got)
			}

			// Discovery stays public: peers need it before any key is known.
			for _, path := range []string{"/actor", "/.well-known/webfinger?resource=acct:alice@" + berlin.Host,
				"/.well-known/nodeinfo", "/.well-known/host-meta"} {
				if got := berlin.SignedGet(nil, path).Status; got != http.StatusOK {
					t.Errorf("unsigned %s: %d, want 200", path, got)
				}
			}

			// The same URLs as web pages want a session.
			for _, path := range []string{"/users/alice", notePath(t, post)} {
				resp := berlin.Do(berlin.NewRequest(http.MethodGet, path, nil))
				if resp.Status/100 != 3 || !strings.Contains(resp.Header.Get("Location"), "/login") {
					t.Errorf("page %s without a session: %d to %q, want a redirect to /login", path, resp.Status, resp.Header.Get("Location"))
				}
				if strings.Contains(resp.Body, "company news") {
					t.Errorf("page %s shows the post without a session", path)
				}
			}
		})
	}
}
