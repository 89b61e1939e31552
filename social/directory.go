package social

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// ErrRemoteUnavailable means a remote account is not cached and its node could not be
// asked (unreachable, or it answered with an error); trying again later may work.
var ErrRemoteUnavailable = errors.New("remote node unavailable")

// remoteProfileTTL is how long a cached remote actor is shown without asking its node
// again; profile Update activities keep it current in between.
const remoteProfileTTL = 24 * time.Hour

// Handle limits: a host name is at most 253 characters, a label at most 63.
const maxHandleLen = 300

var hostnamePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// ParseHandle splits "user", "@user", "user@host:port" or "@user@host:port" into a
// lower-cased username and domain ("" for none). Anything else, including user info,
// paths, or hosts that are not a plain DNS name or IP address, is ErrNotFound, so a
// malformed handle never leads to a request.
func ParseHandle(s string) (username, domain string, err error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "@")
	if s == "" || len(s) > maxHandleLen {
		return "", "", ErrNotFound
	}
	user, host, remote := strings.Cut(s, "@")
	user = strings.ToLower(user)
	if !usernamePattern.MatchString(user) {
		return "", "", ErrNotFound
	}
	if !remote {
		return user, "", nil
	}
	if domain, ok := canonicalHost(host); ok {
		return user, domain, nil
	}
	return "", "", ErrNotFound
}

// canonicalHost validates host or host:port and returns it lower-cased, the way a
// remote account's Domain is stored (the host part of its actor id).
func canonicalHost(s string) (string, bool) {
	s = strings.ToLower(s)
	host, port := s, ""
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			// "[::1]" without a port.
			if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
				return "", false
			}
			h, p = s[1:len(s)-1], ""
		} else if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
			return "", false
		}
		host, port = h, p
	}
	if ip := net.ParseIP(host); ip != nil {
		if strings.Contains(host, ":") {
			// IPv6 literals only in brackets, as in URLs.
			if !strings.HasPrefix(s, "[") {
				return "", false
			}
			host = "[" + ip.String() + "]"
		}
	} else if len(host) > 253 || !hostnamePattern.MatchString(host) {
		return "", false
	}
	if port == "" {
		return host, true
	}
	return host + ":" + port, true
}

// ownHosts lists the ways this node's host may be written: its Base host and, when
// Base uses the scheme's default port, the host with or without that port.
func (c *core) ownHosts() []string {
	u, err := url.Parse(c.URIs.Base)
	if err != nil || u.Host == "" {
		return nil
	}
	host := strings.ToLower(u.Host)
	def := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	out := []string{host}
	if def == "" {
		return out
	}
	if u.Port() == "" {
		return append(out, host+":"+def)
	}
	if u.Port() == def {
		return append(out, strings.TrimSuffix(host, ":"+def))
	}
	return out
}

// isOwnHost reports whether domain names this node.
func (c *core) isOwnHost(domain string) bool {
	for _, h := range c.ownHosts() {
		if h == domain {
			return true
		}
	}
	return false
}

// ByHandle returns the account a handle names: a local account, a cached remote one,
// or one the resolver fetches now because it is not cached or the cache is stale. A
// stale cache is still shown when the remote node cannot be asked.
func (a *Accounts) ByHandle(ctx context.Context, handle string) (*model.Account, error) {
	user, domain, err := ParseHandle(handle)
	if err != nil {
		return nil, err
	}
	if domain == "" || a.isOwnHost(domain) {
		return a.Store.LocalAccountByUsername(ctx, user)
	}
	cached, err := a.Store.RemoteAccountByHandle(ctx, user, domain)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if cached != nil && cached.FetchedAt != nil && a.now().Sub(*cached.FetchedAt) < remoteProfileTTL {
		return cached, nil
	}
	fresh, err := a.Resolver.ResolveAccount(ctx, user+"@"+domain)
	switch {
	case err == nil && fresh != nil:
		return fresh, nil
	case cached != nil:
		// Showing what we know beats an error page while the other node is away.
		a.Log.InfoContext(ctx, "refresh remote account failed; using cache", "handle", user+"@"+domain, "err", err)
		return cached, nil
	case err == nil, errors.Is(err, ErrNotFound):
		return nil, ErrNotFound
	default:
		a.Log.WarnContext(ctx, "resolve remote account failed", "handle", user+"@"+domain, "err", err)
		return nil, fmt.Errorf("resolve %s@%s: %w (%w)", user, domain, ErrRemoteUnavailable, err)
	}
}

// GetByHandle returns the profile a handle names ("user" or "user@host:port", with or
// without a leading @). Local handles, including ones naming this node's own host, show
// what Profiles.Get shows; remote ones the cached actor with what this node knows of it.
func (ps *Profiles) GetByHandle(ctx context.Context, viewer *model.Account, handle string) (*Profile, error) {
	acct, err := (&Accounts{ps.core}).ByHandle(ctx, handle)
	if err != nil {
		return nil, err
	}
	return ps.profileOf(ctx, viewer, acct)
}

// State tells whether follower follows followeeID (following) or has asked a remote
// node and waits for its answer (pending). Neither is set when there is no follow.
func (f *Follows) State(ctx context.Context, follower *model.Account, followeeID string) (following, pending bool, err error) {
	rel, err := f.Store.FollowBetween(ctx, follower.ID, followeeID)
	if errors.Is(err, ErrNotFound) {
		return false, false, nil
	} else if err != nil {
		return false, false, err
	}
	return rel.Accepted, !rel.Accepted, nil
}
