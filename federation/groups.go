package federation

import (
	"context"
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/gorilla/mux"
)

// Group actors (FEP-1b12). A group is served only to nodes whose users may see it, and
// to others it does not exist (404), the way posts are.

// groupsCollection lists the Group actor ids of this node's open and closed groups that
// are not site-only, for sibling directories. Partners learn groups only by invitation.
func (h *handler) groupsCollection(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	if pr.peer.Trust != model.TrustSibling || guestSigner(pr) != nil {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	list, err := h.store.FederatedGroups(r.Context())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	items := make([]string, 0, len(list))
	for _, g := range list {
		items = append(items, g.URI)
	}
	h.writeJSON(w, r, http.StatusOK, activitypub.ActivityContentType, map[string]interface{}{
		"@context":     activitypub.Context(h.origin),
		"id":           h.origin + "/groups",
		"type":         "OrderedCollection",
		"totalItems":   len(items),
		"orderedItems": items,
	})
}

// groupVisible reports whether the users of the requesting node may see the local group
// g: never a site-only group; a secret group only when the node has a member (active or
// invited); for partner nodes only groups one of their users is in or invited to; open
// and closed groups for every sibling.
func (h *handler) groupVisible(ctx context.Context, g *model.Group, pr *peerRequest) (bool, error) {
	if !g.Local() || g.SiteOnly {
		return false, nil
	}
	if guest := guestSigner(pr); guest != nil {
		return h.guestGroupVisible(ctx, g, guest) // a guest's own key: its groups only
	}
	if g.Kind == model.GroupSecret || pr.peer.Trust != model.TrustSibling {
		return h.store.GroupHasMemberOnDomain(ctx, g.ID, pr.domain, model.MemberActive, model.MemberInvited)
	}
	return true, nil
}

// visibleGroup returns the local group named in the path if the requesting node may see
// it, or answers 404.
func (h *handler) visibleGroup(w http.ResponseWriter, r *http.Request, pr *peerRequest) *model.Group {
	ctx := r.Context()
	g, err := h.store.GroupByName(ctx, mux.Vars(r)["name"], "")
	if errors.Is(err, storage.ErrNotFound) {
		fail(w, http.StatusNotFound, "no such group")
		return nil
	} else if err != nil {
		h.internal(w, r, err)
		return nil
	}
	ok, err := h.groupVisible(ctx, g, pr)
	if err != nil {
		h.internal(w, r, err)
		return nil
	}
	if !ok {
		h.log.InfoContext(ctx, "group hidden from peer", "group", g.Name, "peer", pr.peer.Origin, "kind", g.Kind)
		fail(w, http.StatusNotFound, "no such group")
		return nil
	}
	return g
}

// groupActor serves a local group's Group actor.
func (h *handler) groupActor(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	g := h.visibleGroup(w, r, pr)
	if g == nil {
		return
	}
	doc, err := activitypub.GroupToAS(h.origin, g)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, activitypub.ActivityContentType, doc)
}

// groupMembers serves a group's followers (its active members) as a total only.
func (h *handler) groupMembers(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	g := h.visibleGroup(w, r, pr)
	if g == nil {
		return
	}
	counts, err := h.store.CountActiveMembers(r.Context(), []string{g.ID})
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.orderedCollection(w, r, activitypub.GroupMembersURI(g.URI), counts[g.ID])
}

// groupModerators serves a group's moderators collection as a total only.
func (h *handler) groupModerators(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	g := h.visibleGroup(w, r, pr)
	if g == nil {
		return
	}
	n, err := h.store.CountGroupModerators(r.Context(), g.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.orderedCollection(w, r, activitypub.GroupModeratorsURI(g.URI), n)
}

// groupInbox is a local group's inbox; it takes what the shared inbox takes.
func (h *handler) groupInbox(w http.ResponseWriter, r *http.Request) {
	_, err := h.store.GroupByName(r.Context(), mux.Vars(r)["name"], "")
	if errors.Is(err, storage.ErrNotFound) {
		fail(w, http.StatusNotFound, "no such group")
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	h.inbox(w, r)
}

// webfingerGroup answers acct:name@host:port for a local group that WebFinger may name:
// open and closed groups that are not site-only. WebFinger is public, so a secret
// group's name never comes out of it; its members' nodes already know its id.
func (h *handler) webfingerGroup(w http.ResponseWriter, r *http.Request, acct Acct) {
	g, err := h.store.GroupByName(r.Context(), acct.User, "")
	switch {
	case errors.Is(err, storage.ErrNotFound) || err == nil && (g.SiteOnly || g.Kind == model.GroupSecret):
		fail(w, http.StatusNotFound, "no such user or group")
	case err != nil:
		h.internal(w, r, err)
	default:
		h.writeJSON(w, r, http.StatusOK, JRDContentType, NewJRD(acct, g.URI, g.URI))
	}
}
