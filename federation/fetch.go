package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// UserAgent is what the node announces on its requests.
const UserAgent = "atrium (+https://github.com/atrium-intranet/atrium)"

// DefaultActorMaxAge is how old a cached remote actor may be before use fetches it again.
const DefaultActorMaxAge = time.Hour

// Fetcher makes signed GETs of ActivityPub documents, as the node actor, from allowed
// peers only. The transport bounds the size and refuses redirects.
type Fetcher struct {
	store     *storage.Store
	transport *Transport
}

// NewFetcher returns a Fetcher signing with signer and sending with client.
func NewFetcher(store *storage.Store, client *http.Client, signer *Signer) *Fetcher {
	return &Fetcher{store: store, transport: NewTransport(client, signer, UserAgent)}
}

// PeerOf returns the allowed peer that iri lives on; ErrNotPeer when there is none. It
// reads the allowlist through the store's short-lived cache (storage.PeerCacheTTL): it
// runs on every signed request and fetch. Delivery checks the allowlist uncached.
func PeerOf(ctx context.Context, store *storage.Store, iri string) (*model.Peer, error) {
	origin, err := activitypub.Origin(iri)
	if err != nil {
		return nil, err
	}
	p, err := store.AllowedPeer(ctx, origin)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotPeer, origin)
	}
	return p, err
}

// Fetch returns the document at iri and the peer it comes from. Nothing is requested
// from a node that is not an allowed peer.
func (f *Fetcher) Fetch(ctx context.Context, iri string) ([]byte, *model.Peer, error) {
	peer, err := PeerOf(ctx, f.store, iri)
	if err != nil {
		return nil, nil, fmt.Errorf("federation: fetch %s: %w", iri, err)
	}
	u, err := url.Parse(iri)
	if err != nil {
		return nil, nil, fmt.Errorf("federation: fetch %s: %w", iri, err)
	}
	b, err := f.transport.Dereference(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	return b, peer, nil
}

// Resolver finds and caches remote actors: by handle through WebFinger, by actor id with
// a signed fetch. It implements social.Resolver.
type Resolver struct {
	store   *storage.Store
	remote  *social.Remote
	fetcher *Fetcher
	client  *http.Client
	signer  *Signer
	now     func() time.Time
	maxAge  time.Duration
	origin  string
}

var _ social.Resolver = (*Resolver)(nil)

// ResolverOptions configure a Resolver.
type ResolverOptions struct {
	// Origin is this node's origin.
	Origin string
	Store  *storage.Store
	Remote *social.Remote
	// Client sends the requests; the node gives one that refuses non-peers.
	Client *http.Client
	// Signer is the node actor's.
	Signer *Signer
	Now    func() time.Time
	// MaxAge is how old a cached actor may be when used; zero means DefaultActorMaxAge.
	MaxAge time.Duration
}

// NewResolver returns a Resolver.
func NewResolver(o ResolverOptions) *Resolver {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultActorMaxAge
	}
	return &Resolver{store: o.Store, remote: o.Remote, fetcher: NewFetcher(o.Store, o.Client, o.Signer),
		client: o.Client, signer: o.Signer, now: o.Now, maxAge: o.MaxAge, origin: strings.TrimRight(o.Origin, "/")}
}

// ResolveAccount finds user@host:port: a peer's user through a signed WebFinger query
// and a signed fetch of the actor. Hosts that are no peer are social.ErrNotFound. A
// person whose node withholds the profile from this one comes back as its key and
// address only (social.ProfileWithheld), enough to invite it, never shown as a profile.
func (r *Resolver) ResolveAccount(ctx context.Context, handle string) (*model.Account, error) {
	actor, err := r.webfinger(ctx, handle)
	if err != nil {
		return nil, err
	}
	return r.Refresh(ctx, actor)
}

// webfinger finds the actor id of handle (name@host:port) on an allowed peer with a
// signed WebFinger query. Bad handles, non-peers and names the node does not show are
// social.ErrNotFound.
func (r *Resolver) webfinger(ctx context.Context, handle string) (string, error) {
	acct, err := ParseAcct(handle)
	if err != nil {
		return "", social.ErrNotFound
	}
	scheme, err := r.peerScheme(ctx, acct.Host)
	if err != nil {
		return "", err
	}
	wf := &WebFingerClient{HTTP: r.client, Scheme: scheme, Signer: r.signer}
	actor, err := wf.Resolve(ctx, acct)
	if errors.Is(err, ErrNoSuchAcct) {
		// The node says there is none (or none it shows us): not found, not unreachable.
		return "", fmt.Errorf("%s: %w", acct, social.ErrNotFound)
	}
	return actor, err
}

// peerScheme finds the scheme under which host is an allowed peer.
func (r *Resolver) peerScheme(ctx context.Context, host string) (string, error) {
	for _, scheme := range []string{"https", "http"} {
		origin, err := activitypub.Origin(scheme + "://" + host)
		if err != nil {
			return "", social.ErrNotFound
		}
		if _, err := r.store.Peer(ctx, origin); err == nil {
			return scheme, nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s is not an allowed peer: %w", host, social.ErrNotFound)
}

// Actor returns the remote actor with id uri from the cache, fetching it when it is not
// cached or older than the maximum age. When the fetch fails a cached copy is returned.
func (r *Resolver) Actor(ctx context.Context, uri string) (*model.Account, error) {
	cached, err := r.store.AccountByURI(ctx, uri)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	return r.ActorFrom(ctx, uri, cached)
}

// ActorFrom is Actor for a caller that has just read the account of uri itself (cached,
// nil if there is none): it refreshes it when stale, as Actor does, without reading it again.
func (r *Resolver) ActorFrom(ctx context.Context, uri string, cached *model.Account) (*model.Account, error) {
	if cached != nil && (cached.Local() || cached.FetchedAt != nil && r.now().Sub(*cached.FetchedAt) < r.maxAge) {
		return cached, nil
	}
	fresh, err := r.Refresh(ctx, uri)
	if err != nil && cached != nil {
		return cached, nil
	}
	return fresh, err
}

// Refresh fetches the actor uri from its node and updates the cache.
func (r *Resolver) Refresh(ctx context.Context, uri string) (*model.Account, error) {
	a, _, err := r.fetchActor(ctx, uri)
	return a, err
}

// fetchActor fetches, checks and caches the actor uri, and returns it with its key id.
func (r *Resolver) fetchActor(ctx context.Context, uri string) (*model.Account, string, error) {
	if r.origin != "" && activitypub.SameOrigin(uri, r.origin) {
		return nil, "", fmt.Errorf("federation: actor %s is local: %w", uri, social.ErrNotFound)
	}
	b, peer, err := r.fetcher.Fetch(ctx, uri)
	if err != nil {
		return nil, "", err
	}
	ra, err := activitypub.ParseActor(ctx, b)
	if err != nil {
		return nil, "", fmt.Errorf("federation: actor %s: %w", uri, err)
	}
	// The document must be the one asked for, not another actor of the same node.
	if ra.Account.URI != uri {
		return nil, "", fmt.Errorf("federation: actor %s: document is %s", uri, ra.Account.URI)
	}
	a, err := r.remote.UpsertActor(ctx, actorInput(ra), peer.Trust)
	if err != nil {
		return nil, "", err
	}
	r.syncAvatar(ctx, a, ra.IconURL)
	return a, ra.PublicKeyID, nil
}

// actorInput turns a parsed actor into the social layer's input.
func actorInput(ra *activitypub.RemoteActor) social.ActorInput {
	in := social.ActorInput{Account: ra.Account, SummaryHTML: string(ra.SummaryHTML), ManagerURI: ra.ManagerURI,
		Skills: ra.Skills}
	in.Account.ExpiresAt = ra.GuestExpires // a guest's end, which the rules apply at once
	in.ProfileWithheld = ra.ProfileWithheld
	return in
}
