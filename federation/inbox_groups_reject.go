package federation

import (
	"context"
	"net/http"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
)

// receiveGroupRejectPost applies a remote group's Reject{Create} of a local user's
// pending post (the group's key signed it, checked before): the post must be this
// node's, by the Create's actor; the rules check it is pending in that very group.
func (h *handler) receiveGroupRejectPost(ctx context.Context, g *model.Group, act *activitypub.RemoteActivity, rp *activitypub.RejectedPost) error {
	if !activitypub.SameOrigin(rp.NoteURI, h.origin) {
		return refusal(http.StatusForbidden, "group %s rejects %s, a post of another node", g.URI, rp.NoteURI)
	}
	return h.social.Remote.ReceiveGroupRejectedPost(ctx, act.ID, g, rp.AuthorURI, rp.NoteURI)
}
