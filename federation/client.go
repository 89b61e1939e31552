package federation

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// ErrNotPeer refuses a request to a node that is not on the allowlist.
var ErrNotPeer = errors.New("federation: not an allowed peer")

// ErrPrivateAddress refuses a connection to a private, loopback, link-local or other
// non-global address on behalf of a node that is not an allowed peer.
var ErrPrivateAddress = errors.New("federation: address is not globally routable")

// PeerLookup finds an allowed peer by origin ("scheme://host:port"); an unknown origin is
// storage.ErrNotFound. *storage.Store satisfies it.
type PeerLookup interface {
	Peer(ctx context.Context, origin string) (*model.Peer, error)
}

// ClientOptions configure the guarded HTTP client of federation.
type ClientOptions struct {
	// Peers is the allowlist, consulted on every request so a removed peer is refused at
	// once; nil allows no origin at all.
	Peers PeerLookup
	// Timeout bounds a whole request; zero means 10 seconds.
	Timeout time.Duration
	// LookupHost resolves a host name to its addresses; nil means the system resolver.
	// Tests point public-looking names at loopback with it.
	LookupHost func(ctx context.Context, host string) ([]netip.Addr, error)
}

// DefaultClientTimeout bounds a federation request when ClientOptions.Timeout is zero.
const DefaultClientTimeout = 10 * time.Second

// NewHTTPClient returns the client every outgoing federation request goes through. It
// refuses any request whose origin is not an allowed peer (the allowlist holds outbound),
// refuses connections to non-global addresses unless they serve an allowed peer, never
// follows redirects and ignores proxy settings from the environment.
func NewHTTPClient(o ClientOptions) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultClientTimeout
	}
	if o.LookupHost == nil {
		o.LookupHost = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	g := &guard{opts: o, dialer: &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}}
	base := &http.Transport{
		// A proxy would make the dialed address the proxy's, hiding the peer's from the guard.
		Proxy:                 nil,
		DialContext:           g.dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
	}
	g.base = base
	return &http.Client{
		Transport: g,
		Timeout:   o.Timeout,
		// A redirect would carry a (signed) request to an address nobody allowed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// guard is the client's round tripper and dialer: the allowlist check per request and
// the address check per connection.
type guard struct {
	opts   ClientOptions
	base   http.RoundTripper
	dialer *net.Dialer
}

// dialPolicy travels from RoundTrip to dial in the request's context.
type dialPolicy struct {
	// hostPort is the address the allowed request goes to, "host:port".
	hostPort string
}

type dialPolicyKey struct{}

// RoundTrip refuses requests to origins that are not allowed peers before anything is
// sent, and tells dial which address the allowed request may reach.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	origin, hostPort, err := requestOrigin(req.URL)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if err := g.allowed(req.Context(), origin); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := context.WithValue(req.Context(), dialPolicyKey{}, dialPolicy{hostPort: hostPort})
	return g.base.RoundTrip(req.WithContext(ctx))
}

// allowed reports nil when origin is an allowed peer, ErrNotPeer when it is not.
func (g *guard) allowed(ctx context.Context, origin string) error {
	if g.opts.Peers == nil {
		return fmt.Errorf("%w: %s", ErrNotPeer, origin)
	}
	if _, err := g.opts.Peers.Peer(ctx, origin); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotPeer, origin)
	} else if err != nil {
		return fmt.Errorf("federation: look up peer %s: %w", origin, err)
	}
	return nil
}

// dial connects to addr for a request RoundTrip allowed. It resolves the host once,
// checks every address and dials only checked addresses, so a name that resolves
// differently between check and connect (DNS rebinding) cannot reach anything else.
// A connection without the request's policy counts as one for no peer: only global
// addresses. Every allowed peer may be on a private network (an intranet's nodes
// usually are), which is why the allowlist, not the address, decides for peers.
func (g *guard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("federation: dial %s: %w", addr, err)
	}
	policy, _ := ctx.Value(dialPolicyKey{}).(dialPolicy)
	peer := policy.hostPort != "" && strings.EqualFold(policy.hostPort, addr)
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = g.opts.LookupHost(ctx, host); err != nil {
		return nil, fmt.Errorf("federation: resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("federation: resolve %s: no addresses", host)
	}
	for _, ip := range addrs {
		if !peer && !Global(ip) {
			return nil, fmt.Errorf("%w: %s is %s", ErrPrivateAddress, host, ip)
		}
	}
	var errs []error
	for _, ip := range addrs {
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// requestOrigin returns the canonical origin of u and the "host:port" it connects to.
func requestOrigin(u *url.URL) (origin, hostPort string, err error) {
	if u == nil {
		return "", "", errors.New("federation: request without URL")
	}
	origin, err = social.CanonicalOrigin(u.Scheme + "://" + u.Host)
	if err != nil {
		return "", "", fmt.Errorf("federation: request to %s: %w", u.Redacted(), err)
	}
	o, _ := url.Parse(origin)
	return origin, o.Host, nil
}

// closeBody releases a request body the round tripper will not send, as the
// http.RoundTripper contract asks.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// nonGlobal lists special-purpose ranges beyond what netip.Addr's predicates cover:
// shared (carrier-grade NAT), documentation, benchmarking, reserved, and the IPv6
// prefixes that embed IPv4 addresses and could reach a private one.
var nonGlobal = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fec0::/10"),
}

// Global reports whether ip is a globally routable unicast address: not private,
// loopback, link-local, multicast, unspecified, or any other special-purpose range.
func Global(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonGlobal {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
