package social

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
)

// Peers administers the allowlist of nodes this node federates with. Only admins may.
type Peers struct{ *core }

// maxPeerNameLen bounds a peer's display name.
const maxPeerNameLen = 100

// SystemActor is the identity of the command line (`atrium admin …`): an admin that is
// not stored in the database. Whoever can run commands on the node's host owns the node
// anyway, so the shell acts with admin rights without logging in.
func SystemActor() *model.Account {
	return &model.Account{Username: "atrium", DisplayName: "command line", Role: model.RoleAdmin}
}

// errBadOrigin is why CanonicalOrigin refused a URL.
var errBadOrigin = errors.New("not a node origin")

// CanonicalOrigin turns a node's URL into its identity, "scheme://host:port": scheme and
// host lower-case, the port always written (80 and 443 by default). A trailing "/" is
// allowed; a path, query, fragment or user info is refused, because a peer is a whole
// node, never a part of one, and an origin must compare equal however it was typed.
func CanonicalOrigin(rawURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errBadOrigin, err)
	}
	scheme := strings.ToLower(u.Scheme)
	var defaultPort string
	switch scheme {
	case "http":
		defaultPort = "80"
	case "https":
		defaultPort = "443"
	default:
		return "", fmt.Errorf("%w: scheme must be http or https", errBadOrigin)
	}
	switch {
	case u.Opaque != "":
		return "", fmt.Errorf("%w: missing //", errBadOrigin)
	case u.User != nil:
		return "", fmt.Errorf("%w: user info", errBadOrigin)
	case u.Path != "" && u.Path != "/":
		return "", fmt.Errorf("%w: path %q", errBadOrigin, u.Path)
	case u.RawQuery != "" || u.ForceQuery:
		return "", fmt.Errorf("%w: query", errBadOrigin)
	case u.Fragment != "" || strings.Contains(rawURL, "#"):
		return "", fmt.Errorf("%w: fragment", errBadOrigin)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || strings.ContainsAny(host, " %") {
		return "", fmt.Errorf("%w: host %q", errBadOrigin, host)
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", fmt.Errorf("%w: empty port", errBadOrigin)
		}
		port = defaultPort
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%w: port %q", errBadOrigin, port)
	}
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// Add allows a node as a peer with a trust level, or changes the trust and name of one
// already allowed. rawURL may be any URL of the node's root; it is stored as its origin.
func (p *Peers) Add(ctx context.Context, actor *model.Account, rawURL string, trust model.Trust, name string) (*model.Peer, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	pr := problems{}
	origin, err := CanonicalOrigin(rawURL)
	if err != nil {
		pr.add("url", "error.peer.url")
	} else if self, err := CanonicalOrigin(p.URIs.Base); err == nil && self == origin {
		pr.add("url", "error.peer.self")
	}
	if !trust.Valid() {
		pr.add("trust", "error.peer.trust")
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxPeerNameLen {
		pr.add("name", "error.too_long")
	}
	if err := pr.err(); err != nil {
		return nil, err
	}
	now := p.now()
	peer := &model.Peer{Origin: origin, Trust: trust, Name: name, CreatedAt: now, UpdatedAt: now}
	if err := p.Store.SavePeer(ctx, peer); err != nil {
		return nil, err
	}
	p.Log.InfoContext(ctx, "peer allowed", "by", actor.Username, "origin", origin, "trust", trust)
	if trust == model.TrustSibling {
		// A new sibling's people belong in the directory now, not at the next interval.
		p.DirectorySync.Kick()
	}
	return p.Store.Peer(ctx, origin)
}

// List returns the allowed peers by origin.
func (p *Peers) List(ctx context.Context, actor *model.Account) ([]*model.Peer, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	return p.Store.Peers(ctx)
}

// Remove takes a node off the allowlist; its pending deliveries are cancelled in the
// same transaction, so nothing more is sent there. rawURL may be the origin or any URL
// of the node's root. An unknown peer is ErrNotFound.
func (p *Peers) Remove(ctx context.Context, actor *model.Account, rawURL string) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	origin, err := CanonicalOrigin(rawURL)
	if err != nil {
		return &ValidationError{Fields: map[string]string{"url": "error.peer.url"}}
	}
	if err := p.Store.DeletePeer(ctx, origin, p.now()); err != nil {
		return err
	}
	p.Log.InfoContext(ctx, "peer removed", "by", actor.Username, "origin", origin)
	return nil
}
