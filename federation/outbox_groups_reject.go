package federation

import (
	"errors"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/social"
	"github.com/go-fed/activity/streams/vocab"
)

// buildGroupRejectPost handles a local group's rejection of a remote member's pending
// post: Reject{Create} signed by the group, to the author's node only, which holds the
// post pending until told.
func (o *Outbox) buildGroupRejectPost(a social.Activity, t *targets) (vocab.Type, error) {
	if a.Post == nil || a.Object == nil {
		return nil, errors.New("post and author required")
	}
	if a.Post.Local || a.Object.Local() || a.Post.AccountID != a.Object.ID {
		return nil, nil // a local post's rejection concerns nobody else
	}
	t.group = a.Group
	t.addAccount(a.Object)
	return activitypub.NewGroupRejectPost(a.Group.URI, a.Object.URI, a.Post.URI)
}
