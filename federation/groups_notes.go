package federation

import (
	"context"
	"errors"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Group posts by signed fetch. A group's posts reach its members' nodes by the group's
// Announce; a fetch (a thread's parent, a post missed while a node was down) gets the
// same posts from the node that holds the original, to the same nodes only.

// groupNoteVisible reports whether the users of the requesting node may see p, a local
// account's post or comment in a group whose thread's top post is root:
//   - local group: published posts only, never of a site-only group, and only to a node
//     where an active member of the group lives (partners included: only the groups
//     their users are active in). An archived group stays readable to its members.
//   - remote group (a local member's post in another node's group): only the group's
//     home node, which relays it. Other member nodes get it from the group; which nodes
//     those are only the home node knows.
func (h *handler) groupNoteVisible(ctx context.Context, p, root *model.Post, pr *peerRequest) (bool, error) {
	if root.GroupID == nil || root.State != model.PostPublished || p.State != model.PostPublished {
		return false, nil
	}
	g, err := h.store.Group(ctx, *root.GroupID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !g.Local() {
		return strings.EqualFold(g.Domain, pr.domain), nil
	}
	if g.SiteOnly {
		return false, nil
	}
	return h.store.GroupHasMemberOnDomain(ctx, g.ID, pr.domain, model.MemberActive)
}

// noteGroupURI is the Group actor a group post names as its audience, as in the
// activities that deliver it; "" for posts in no group.
func (h *handler) noteGroupURI(ctx context.Context, p *model.Post) (string, error) {
	if p.Audience != model.AudienceGroup || p.GroupID == nil {
		return "", nil
	}
	g, err := h.store.Group(ctx, *p.GroupID)
	if err != nil {
		return "", err
	}
	return g.URI, nil
}
