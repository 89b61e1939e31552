package social

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
)

// UpsertGroup stores or refreshes a cached remote group, as read from its Group actor,
// and returns it. The description is sanitized; site-only groups never leave their node,
// so a document claiming one is refused, as is one claiming this node.
func (r *Remote) UpsertGroup(ctx context.Context, in model.Group) (*model.Group, error) {
	g := in
	if g.Domain == "" || g.URI == "" || !groupNamePattern.MatchString(g.Name) || !g.Kind.Valid() {
		return nil, &ValidationError{Fields: map[string]string{"group": "error.remote.actor"}}
	}
	if r.isOwnHost(g.Domain) {
		return nil, fmt.Errorf("remote group %s claims this node: %w", g.URI, ErrForbidden)
	}
	if g.SiteOnly {
		return nil, fmt.Errorf("remote group %s is site-only: %w", g.URI, ErrForbidden)
	}
	now := r.now()
	g.ID = r.newID()
	if g.DisplayName == "" {
		g.DisplayName = g.Name
	}
	g.DescriptionSource = ""
	g.DescriptionHTML = r.md.policy.Sanitize(in.DescriptionHTML)
	g.PrivateKeyPEM, g.AvatarFile, g.BannerFile = "", "", ""
	g.ArchivedAt = nil // PreModeration is the group's: members' nodes hold posts pending
	g.FetchedAt, g.CreatedAt, g.UpdatedAt = &now, now, now
	if err := r.Store.UpsertRemoteGroup(ctx, &g); err != nil {
		return nil, err
	}
	return r.Store.Group(ctx, g.ID)
}
