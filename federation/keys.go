package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// KeyStore resolves the keys of signed requests from storage: remote users' keys from
// their cached accounts, remote groups' keys from their cached groups, peers' node
// actor keys from memory. Unknown keys are fetched
// with a signed GET from allowed peers only and cached. It implements KeyResolver.
type KeyStore struct {
	store    *storage.Store
	resolver *Resolver
	fetcher  *Fetcher
	origin   string

	mu    sync.Mutex
	nodes map[string]string // node actor key id → PEM
}

var _ KeyResolver = (*KeyStore)(nil)

// NewKeyStore returns a KeyStore that fetches actors through resolver.
func NewKeyStore(store *storage.Store, resolver *Resolver) *KeyStore {
	return &KeyStore{store: store, resolver: resolver, fetcher: resolver.fetcher, origin: resolver.origin,
		nodes: map[string]string{}}
}

// keyAttempt travels in a request's context through Verify to ResolveKey: refresh asks
// for a fresh fetch, and cached reports that the key came from the cache, which is what
// allows one refetch when the signature fails (the peer may have rotated its key).
type keyAttempt struct {
	refresh bool
	cached  bool
	// owner is the remote account whose key was used, as just read or fetched; nil for
	// node actors. The inbox takes the actor from here instead of reading it again.
	owner *model.Account
}

type keyAttemptKey struct{}

func attemptOf(ctx context.Context) *keyAttempt {
	if a, ok := ctx.Value(keyAttemptKey{}).(*keyAttempt); ok {
		return a
	}
	return &keyAttempt{}
}

// ResolveKey returns the public key keyID names and the actor owning it.
func (k *KeyStore) ResolveKey(ctx context.Context, keyID string) (crypto.PublicKey, string, error) {
	u, err := activitypub.ParseIRI(keyID)
	if err != nil {
		return nil, "", err
	}
	actor := *u
	actor.Fragment, actor.RawFragment = "", ""
	actorURI := actor.String()
	if k.origin != "" && activitypub.SameOrigin(actorURI, k.origin) {
		return nil, "", errors.New("key of this node")
	}
	att := attemptOf(ctx)
	if isNodeActor(&actor) {
		return k.nodeKey(ctx, keyID, actorURI, att)
	}
	if !att.refresh {
		// Through the store's short-lived cache: this runs on every signed request. A
		// key that no longer verifies is refetched below, past the cache.
		a, err := k.store.CachedRemoteAccount(ctx, actorURI)
		switch {
		case err == nil && !a.Local() && a.PublicKeyPEM != "" && keyID == activitypub.KeyID(actorURI):
			pub, err := activitypub.ParsePublicKeyPEM(a.PublicKeyPEM)
			if err == nil {
				att.cached, att.owner = true, a
				return pub, actorURI, nil
			}
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return nil, "", err
		}
	}
	if pub, ok, err := k.groupKey(ctx, keyID, actorURI, att); ok || err != nil {
		return pub, actorURI, err
	}
	a, kid, err := k.resolver.fetchActor(ctx, actorURI)
	if err != nil {
		return nil, "", err
	}
	if kid != keyID {
		return nil, "", fmt.Errorf("actor %s publishes key %s, not %s", actorURI, kid, keyID)
	}
	pub, err := activitypub.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return nil, "", err
	}
	att.owner = a
	return pub, actorURI, nil
}

// isNodeActor reports whether u is a node actor id: <origin>/actor.
func isNodeActor(u *url.URL) bool {
	return u.Path == NodeActorPath && u.RawQuery == ""
}

// nodeKey resolves a peer's node actor key, from memory or with a fetch.
func (k *KeyStore) nodeKey(ctx context.Context, keyID, actorURI string, att *keyAttempt) (crypto.PublicKey, string, error) {
	if !att.refresh {
		k.mu.Lock()
		pemText, ok := k.nodes[keyID]
		k.mu.Unlock()
		if ok {
			pub, err := activitypub.ParsePublicKeyPEM(pemText)
			if err == nil {
				att.cached = true
				return pub, actorURI, nil
			}
		}
	}
	b, _, err := k.fetcher.Fetch(ctx, actorURI)
	if err != nil {
		return nil, "", err
	}
	ak, err := activitypub.ParseApplicationKey(b)
	if err != nil {
		return nil, "", fmt.Errorf("node actor %s: %w", actorURI, err)
	}
	if ak.ActorURI != actorURI || ak.KeyID != keyID {
		return nil, "", fmt.Errorf("node actor %s publishes key %s", ak.ActorURI, ak.KeyID)
	}
	pub, err := activitypub.ParsePublicKeyPEM(ak.PublicKeyPEM)
	if err != nil {
		return nil, "", err
	}
	k.mu.Lock()
	k.nodes[keyID] = ak.PublicKeyPEM
	k.mu.Unlock()
	return pub, actorURI, nil
}

// verifyRotating verifies r and, when the signature fails with a key that came from the
// cache, fetches the key once more and verifies again: the peer may have rotated it.
// The second attempt reuses the first's request, whose body Verify made readable again.
// It also returns the remote account owning the key, as read to verify (nil for node
// actors), so that the inbox need not read it a second time.
func verifyRotating(v *Verifier, r *http.Request) (*Verified, *model.Account, error) {
	first := &keyAttempt{}
	r1 := r.WithContext(context.WithValue(r.Context(), keyAttemptKey{}, first))
	res, err := v.Verify(r1)
	if err == nil || !errors.Is(err, ErrBadSignature) || !first.cached {
		return res, first.owner, err
	}
	second := &keyAttempt{refresh: true}
	r2 := r1.WithContext(context.WithValue(r.Context(), keyAttemptKey{}, second))
	res, err = v.Verify(r2)
	return res, second.owner, err
}
