package federation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// peerSet is an in-memory allowlist.
type peerSet struct {
	mu      sync.Mutex
	origins map[string]bool
	err     error
}

func newPeerSet(origins ...string) *peerSet {
	s := &peerSet{origins: map[string]bool{}}
	for _, o := range origins {
		s.origins[o] = true
	}
	return s
}

func (s *peerSet) Peer(_ context.Context, origin string) (*model.Peer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if !s.origins[origin] {
		return nil, fmt.Errorf("peer: %w", storage.ErrNotFound)
	}
	return &model.Peer{Origin: origin, Trust: model.TrustSibling}, nil
}

func (s *peerSet) remove(origin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.origins, origin)
}

// loopbackNode is a test server on 127.0.0.1 counting the requests it answers.
type loopbackNode struct {
	srv  *httptest.Server
	hits atomic.Int32
	port string
}

func newLoopbackNode(t *testing.T) *loopbackNode {
	t.Helper()
	n := &loopbackNode{}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.hits.Add(1)
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "hello")
	}))
	t.Cleanup(n.srv.Close)
	_, n.port, _ = net.SplitHostPort(n.srv.Listener.Addr().String())
	return n
}

// resolveTo answers every lookup with the given addresses.
func resolveTo(addrs ...string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = netip.MustParseAddr(a)
		}
		return out, nil
	}
}

func get(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestClientAllowlist(t *testing.T) {
	n := newLoopbackNode(t)
	local := "http://127.0.0.1:" + n.port
	named := "http://munich.example.com:" + n.port
	for _, tc := range []struct {
		name    string
		peers   []string
		resolve []string
		url     string
		want    error
	}{
		{"loopback not a peer", nil, nil, local + "/actor", ErrNotPeer},
		{"loopback peer", []string{local}, nil, local + "/actor", nil},
		{"other port of a peer", []string{"http://127.0.0.1:1"}, nil, local + "/actor", ErrNotPeer},
		{"https origin is another node", []string{"https://127.0.0.1:" + n.port}, nil, local + "/actor", ErrNotPeer},
		{"name resolving to loopback, not a peer", []string{local}, []string{"127.0.0.1"}, named + "/actor", ErrNotPeer},
		{"name resolving to loopback, peer", []string{named}, []string{"127.0.0.1"}, named + "/actor", nil},
		{"peer name spelled in capitals", []string{named}, []string{"127.0.0.1"}, "HTTP://MUNICH.example.com:" + n.port + "/actor", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ClientOptions{Peers: newPeerSet(tc.peers...)}
			if tc.resolve != nil {
				opts.LookupHost = resolveTo(tc.resolve...)
			}
			before := n.hits.Load()
			code, err := get(NewHTTPClient(opts), tc.url)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("want %v, got %d, %v", tc.want, code, err)
				}
				if n.hits.Load() != before {
					t.Fatal("a refused request reached the server")
				}
				return
			}
			if err != nil || code != http.StatusOK {
				t.Fatalf("got %d, %v", code, err)
			}
		})
	}
}

func TestClientNilPeersAllowsNothing(t *testing.T) {
	n := newLoopbackNode(t)
	_, err := get(NewHTTPClient(ClientOptions{}), n.srv.URL)
	if !errors.Is(err, ErrNotPeer) {
		t.Fatalf("want ErrNotPeer, got %v", err)
	}
}

func TestClientPeerRemovedIsRefusedAtOnce(t *testing.T) {
	n := newLoopbackNode(t)
	peers := newPeerSet(n.srv.URL)
	c := NewHTTPClient(ClientOptions{Peers: peers})
	if code, err := get(c, n.srv.URL+"/a"); err != nil || code != http.StatusOK {
		t.Fatalf("peer: %d, %v", code, err)
	}
	// The idle connection to the removed peer must not carry another request.
	peers.remove(n.srv.URL)
	if _, err := get(c, n.srv.URL+"/b"); !errors.Is(err, ErrNotPeer) {
		t.Fatalf("removed peer: %v", err)
	}
	if got := n.hits.Load(); got != 1 {
		t.Fatalf("server answered %d requests, want 1", got)
	}
}

func TestClientLookupFailure(t *testing.T) {
	peers := newPeerSet()
	peers.err = errors.New("database down")
	_, err := get(NewHTTPClient(ClientOptions{Peers: peers}), "http://127.0.0.1:1/")
	if err == nil || errors.Is(err, ErrNotPeer) || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("want the lookup error, got %v", err)
	}
}

func TestClientNoRedirects(t *testing.T) {
	n := newLoopbackNode(t)
	code, err := get(NewHTTPClient(ClientOptions{Peers: newPeerSet(n.srv.URL)}), n.srv.URL+"/moved")
	if err != nil || code != http.StatusFound {
		t.Fatalf("got %d, %v; want the 302 itself", code, err)
	}
	if got := n.hits.Load(); got != 1 {
		t.Fatalf("server answered %d requests, want 1 (redirect followed)", got)
	}
}

func TestClientRefusesBadURLs(t *testing.T) {
	c := NewHTTPClient(ClientOptions{Peers: newPeerSet("http://127.0.0.1:80")})
	for _, u := range []string{"ftp://127.0.0.1/", "http://:80/", "http://127.0.0.1:0/"} {
		if _, err := get(c, u); err == nil {
			t.Errorf("%s: want an error", u)
		}
	}
}

// TestDialGuard checks the second wall on its own: a connection dialed without an
// allowed request's policy reaches global addresses only, and every resolved address
// is checked, not just the first.
func TestDialGuard(t *testing.T) {
	n := newLoopbackNode(t)
	for _, tc := range []struct {
		name    string
		policy  string
		resolve []string
		addr    string
		want    error
	}{
		{"loopback without policy", "", nil, "127.0.0.1:" + n.port, ErrPrivateAddress},
		{"loopback for another address", "127.0.0.1:1", nil, "127.0.0.1:" + n.port, ErrPrivateAddress},
		{"name to loopback without policy", "", []string{"127.0.0.1"}, "munich.example.com:" + n.port, ErrPrivateAddress},
		{"public first, private second", "", []string{"93.184.215.14", "10.0.0.7"}, "munich.example.com:" + n.port, ErrPrivateAddress},
		{"mapped loopback", "", []string{"::ffff:127.0.0.1"}, "munich.example.com:" + n.port, ErrPrivateAddress},
		{"peer policy", "munich.example.com:" + n.port, []string{"127.0.0.1"}, "munich.example.com:" + n.port, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &guard{opts: ClientOptions{LookupHost: resolveTo(tc.resolve...)}, dialer: &net.Dialer{}}
			ctx := context.Background()
			if tc.policy != "" {
				ctx = context.WithValue(ctx, dialPolicyKey{}, dialPolicy{hostPort: tc.policy})
			}
			conn, err := g.dial(ctx, "tcp", tc.addr)
			if conn != nil {
				_ = conn.Close()
			}
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
		})
	}
}

func TestGlobal(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"93.184.215.14", true},
		{"2a00:1450:4001:82a::200e", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"203.0.113.9", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:93.184.215.14", true},
		{"64:ff9b::a00:1", false},
		{"2001:db8::1", false},
		{"2002:a00:1::1", false},
	} {
		if got := Global(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("Global(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestRequestOrigin(t *testing.T) {
	for _, tc := range []struct{ in, origin, hostPort string }{
		{"http://127.0.0.1:8082/users/ada", "http://127.0.0.1:8082", "127.0.0.1:8082"},
		{"https://Munich.example.com/inbox?x=1", "https://munich.example.com:443", "munich.example.com:443"},
		{"http://[::1]/actor", "http://[::1]:80", "[::1]:80"},
	} {
		u, _ := url.Parse(tc.in)
		origin, hostPort, err := requestOrigin(u)
		if err != nil || origin != tc.origin || hostPort != tc.hostPort {
			t.Errorf("%s: got %q %q %v", tc.in, origin, hostPort, err)
		}
	}
}
