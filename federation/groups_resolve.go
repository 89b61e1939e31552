package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// MaxDirectoryGroups bounds how many groups one node's directory may list.
const MaxDirectoryGroups = 500

var _ social.GroupResolver = (*Resolver)(nil)

// ResolveGroup finds name@host:port: a peer's group through a signed WebFinger query and
// a signed fetch of its Group actor. Hosts that are no peer are social.ErrNotFound.
func (r *Resolver) ResolveGroup(ctx context.Context, handle string) (*model.Group, error) {
	actor, err := r.webfinger(ctx, handle)
	if err != nil {
		return nil, err
	}
	return r.RefreshGroup(ctx, actor)
}

// Group returns the remote group with actor id uri from the cache, fetching it when it
// is not cached or older than the maximum age; a cached copy outlives a failed fetch.
func (r *Resolver) Group(ctx context.Context, uri string) (*model.Group, error) {
	cached, err := r.store.GroupByURI(ctx, uri)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if cached != nil && (cached.Local() || cached.FetchedAt != nil && r.now().Sub(*cached.FetchedAt) < r.maxAge) {
		return cached, nil
	}
	fresh, err := r.RefreshGroup(ctx, uri)
	if err != nil && cached != nil {
		return cached, nil
	}
	return fresh, err
}

// RefreshGroup fetches the Group actor uri from its node and updates the cache.
func (r *Resolver) RefreshGroup(ctx context.Context, uri string) (*model.Group, error) {
	if r.origin != "" && activitypub.SameOrigin(uri, r.origin) {
		return nil, fmt.Errorf("federation: group %s is local: %w", uri, social.ErrNotFound)
	}
	b, _, err := r.fetcher.Fetch(ctx, uri)
	if err != nil {
		return nil, err
	}
	rg, err := activitypub.ParseGroup(b)
	if err != nil {
		return nil, fmt.Errorf("federation: group %s: %w", uri, err)
	}
	// The document must be the one asked for, not another actor of the same node.
	if rg.Group.URI != uri {
		return nil, fmt.Errorf("federation: group %s: document is %s", uri, rg.Group.URI)
	}
	g, err := r.remote.UpsertGroup(ctx, rg.Group)
	if err != nil {
		return nil, err
	}
	r.syncGroupPictures(ctx, g, rg)
	return g, nil
}

// RefreshGroups reads the group directory (<origin>/groups) of the sibling node at
// origin, or of every sibling when origin is "", and caches each group listed. A node
// that fails is skipped; the first error is returned with the count of groups read.
func (r *Resolver) RefreshGroups(ctx context.Context, origin string) (int, error) {
	var origins []string
	if origin != "" {
		p, err := PeerOf(ctx, r.store, origin)
		if err != nil {
			return 0, err
		}
		if p.Trust != model.TrustSibling {
			return 0, fmt.Errorf("federation: groups of partner %s: %w", origin, social.ErrForbidden)
		}
		origins = append(origins, p.Origin)
	} else {
		peers, err := r.store.Peers(ctx)
		if err != nil {
			return 0, err
		}
		for _, p := range peers {
			if p.Trust == model.TrustSibling {
				origins = append(origins, p.Origin)
			}
		}
	}
	n := 0
	var first error
	for _, o := range origins {
		got, err := r.refreshNodeGroups(ctx, o)
		n += got
		if err != nil && first == nil {
			first = err
		}
	}
	return n, first
}

// refreshNodeGroups caches the groups listed by one node; only ids on that node count.
func (r *Resolver) refreshNodeGroups(ctx context.Context, origin string) (int, error) {
	b, _, err := r.fetcher.Fetch(ctx, origin+"/groups")
	if err != nil {
		return 0, err
	}
	var coll struct {
		Type         string   `json:"type"`
		OrderedItems []string `json:"orderedItems"`
	}
	if err := json.Unmarshal(b, &coll); err != nil || coll.Type != "OrderedCollection" {
		return 0, fmt.Errorf("federation: groups of %s: %w", origin, activitypub.ErrInvalid)
	}
	if len(coll.OrderedItems) > MaxDirectoryGroups {
		coll.OrderedItems = coll.OrderedItems[:MaxDirectoryGroups]
	}
	n := 0
	var first error
	for _, id := range coll.OrderedItems {
		if !activitypub.SameOrigin(id, origin) {
			continue // a node lists its own groups only
		}
		if _, err := r.RefreshGroup(ctx, id); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		n++
	}
	return n, first
}
