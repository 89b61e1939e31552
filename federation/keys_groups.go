package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/storage"
)

// groupKey resolves the key of a remote Group actor: from its cached group, or with a
// signed fetch (of an allowed peer's actor) when it is unknown under /groups/ or the
// cached key no longer verifies. ok is false when actorURI is no group.
func (k *KeyStore) groupKey(ctx context.Context, keyID, actorURI string, att *keyAttempt) (crypto.PublicKey, bool, error) {
	g, err := k.store.GroupByURI(ctx, actorURI)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		u, perr := activitypub.ParseIRI(actorURI)
		if perr != nil || !strings.HasPrefix(u.Path, "/groups/") {
			return nil, false, nil
		}
		g = nil
	case err != nil:
		return nil, true, err
	case g.Local():
		return nil, true, errors.New("key of a local group")
	}
	if g != nil && !att.refresh && g.PublicKeyPEM != "" && keyID == activitypub.KeyID(actorURI) {
		pub, err := activitypub.ParsePublicKeyPEM(g.PublicKeyPEM)
		if err == nil {
			att.cached = true
			return pub, true, nil
		}
	}
	fresh, err := k.resolver.RefreshGroup(ctx, actorURI)
	if err != nil {
		return nil, true, err
	}
	if keyID != activitypub.KeyID(fresh.URI) {
		return nil, true, fmt.Errorf("group %s publishes key %s, not %s", actorURI, activitypub.KeyID(fresh.URI), keyID)
	}
	pub, err := activitypub.ParsePublicKeyPEM(fresh.PublicKeyPEM)
	return pub, true, err
}
