package federation

import (
	"context"
	"errors"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Guests on signed fetches. A fetch signed by a node's key is answered for the node's
// users as a whole: the requesting node applies the guest scope to its own guests, as
// this one does. A fetch signed with a user's own key speaks for that user only, so
// when the user is a guest here (its cached role, or any user of a partner node) it
// gets what a local guest would: its own groups (active or invited), the posts of the
// groups it is active in and the people it shares a group with; nothing of the company,
// of followers, of the directories.

// guestSigner returns the remote account that signed pr with its own key when it is a
// guest here; nil for node, group and member keys.
func guestSigner(pr *peerRequest) *model.Account {
	o := pr.owner
	if o == nil || o.Local() {
		return nil
	}
	if o.IsGuest() || o.DeactivatedAt != nil || pr.peer.Trust != model.TrustSibling {
		return o
	}
	return nil
}

// guestActive reports whether the guest g may fetch anything at all: its access has
// not ended.
func (h *handler) guestActive(g *model.Account) bool {
	return g.ActiveAt(h.now())
}

// guestMembership returns the guest's membership of the local group groupID, nil if
// it has none.
func (h *handler) guestMembership(ctx context.Context, groupID string, g *model.Account) (*model.Membership, error) {
	m, err := h.store.Membership(ctx, groupID, g.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// guestGroupVisible reports whether the guest g may see the local group grp: it is an
// active member or invited.
func (h *handler) guestGroupVisible(ctx context.Context, grp *model.Group, g *model.Account) (bool, error) {
	if !h.guestActive(g) || !grp.Local() {
		return false, nil
	}
	m, err := h.guestMembership(ctx, grp.ID, g)
	if err != nil || m == nil {
		return false, err
	}
	return m.State == model.MemberActive || m.State == model.MemberInvited, nil
}

// guestNoteVisible reports whether the guest g may see the local post p, whose thread's
// top post is root: a published post of a local group g is an active member of.
func (h *handler) guestNoteVisible(ctx context.Context, p, root *model.Post, g *model.Account) (bool, error) {
	if !h.guestActive(g) || root.Audience != model.AudienceGroup || root.GroupID == nil ||
		root.State != model.PostPublished || p.State != model.PostPublished {
		return false, nil
	}
	grp, err := h.store.Group(ctx, *root.GroupID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !grp.Local() {
		return false, nil
	}
	m, err := h.guestMembership(ctx, grp.ID, g)
	if err != nil || m == nil {
		return false, err
	}
	return m.State == model.MemberActive, nil
}

// guestPersonVisible reports whether the guest g may see the local account a: they
// share a group.
func (h *handler) guestPersonVisible(ctx context.Context, a *model.Account, g *model.Account) (bool, error) {
	if !h.guestActive(g) {
		return false, nil
	}
	return h.store.CoMembers(ctx, g.ID, a.ID)
}

// endedGuest reports whether the local account a is a guest whose access has ended (it
// was deactivated at its end, see social's guests_end.go).
func endedGuest(a *model.Account) bool {
	return a.IsGuest() && a.DeactivatedAt != nil && a.ExpiresAt != nil && a.DeactivatedAt.Equal(*a.ExpiresAt)
}

// addGuestGroups targets the nodes that know the guest a through its groups, partners
// included: a remote group's home node, and the nodes of a local group's remote
// members. Its Update (its end, or a new one) reaches them all.
func (t *targets) addGuestGroups(ctx context.Context, tx *storage.Store, a *model.Account) error {
	list, err := tx.AccountMemberships(ctx, a.ID)
	if err != nil || len(list) == 0 {
		return err
	}
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.GroupID
	}
	groups, err := tx.GroupsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, m := range list {
		grp := groups[m.GroupID]
		switch {
		case grp == nil || m.State == model.MemberBanned:
		case !grp.Local():
			t.addGroup(grp)
		default:
			if err := t.addGroupMembers(ctx, tx, grp, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
