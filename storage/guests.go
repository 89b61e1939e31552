package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// CreateGuestInvitation inserts a guest invitation with its groups. Call it inside InTx.
func (s *Store) CreateGuestInvitation(ctx context.Context, inv *model.GuestInvitation) error {
	if _, err := s.db.NewInsert().Model(inv).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("create invitation: %w", ErrConflict)
		}
		return fmt.Errorf("create invitation: %w", err)
	}
	if len(inv.GroupIDs) == 0 {
		return nil
	}
	rows := make([]model.GuestInvitationGroup, len(inv.GroupIDs))
	for i, g := range inv.GroupIDs {
		rows[i] = model.GuestInvitationGroup{InvitationID: inv.ID, GroupID: g}
	}
	if _, err := s.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("create invitation groups: %w", err)
	}
	return nil
}

// GuestInvitation returns an invitation by id, with its group ids.
func (s *Store) GuestInvitation(ctx context.Context, id string) (*model.GuestInvitation, error) {
	return s.guestInvitationWhere(ctx, "gi.id = ?", id)
}

// GuestInvitationByToken returns the invitation whose link carries token, with its group ids.
func (s *Store) GuestInvitationByToken(ctx context.Context, token string) (*model.GuestInvitation, error) {
	return s.guestInvitationWhere(ctx, "gi.token = ?", token)
}

func (s *Store) guestInvitationWhere(ctx context.Context, where string, arg string) (*model.GuestInvitation, error) {
	inv := new(model.GuestInvitation)
	if err := s.db.NewSelect().Model(inv).Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, "invitation")
	}
	if err := s.loadGuestInvitationGroups(ctx, []*model.GuestInvitation{inv}); err != nil {
		return nil, err
	}
	return inv, nil
}

// loadGuestInvitationGroups fills GroupIDs of the given invitations, in group id order.
func (s *Store) loadGuestInvitationGroups(ctx context.Context, list []*model.GuestInvitation) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]*model.GuestInvitation, len(list))
	ids := make([]string, len(list))
	for i, inv := range list {
		byID[inv.ID], ids[i] = inv, inv.ID
		inv.GroupIDs = []string{}
	}
	var rows []model.GuestInvitationGroup
	err := s.db.NewSelect().Model(&rows).Where("gig.invitation_id IN (?)", bun.In(ids)).
		OrderExpr("gig.invitation_id, gig.group_id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("invitation groups: %w", err)
	}
	for _, r := range rows {
		inv := byID[r.InvitationID]
		inv.GroupIDs = append(inv.GroupIDs, r.GroupID)
	}
	return nil
}

// GuestInvitationFilter selects a page of invitations, newest first.
type GuestInvitationFilter struct {
	// InvitedByID keeps one inviter's invitations; "" lists everyone's.
	InvitedByID string
	// Before is the id to continue before (ids grow with creation time).
	Before string
	Limit  int
}

// GuestInvitations lists invitations newest first, with their group ids.
func (s *Store) GuestInvitations(ctx context.Context, f GuestInvitationFilter) ([]*model.GuestInvitation, error) {
	var list []*model.GuestInvitation
	q := s.db.NewSelect().Model(&list).OrderExpr("gi.id DESC").Limit(int64(f.Limit))
	if f.InvitedByID != "" {
		q = q.Where("gi.invited_by_id = ?", f.InvitedByID)
	}
	if f.Before != "" {
		// Ids are ULIDs made from the creation time: id order is creation order.
		q = q.Where("gi.id < ?", f.Before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	if err := s.loadGuestInvitationGroups(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// CountPendingGuestInvitations counts an inviter's invitations that can still be used at now.
func (s *Store) CountPendingGuestInvitations(ctx context.Context, invitedByID string, now time.Time) (int, error) {
	n, err := s.db.NewSelect().Model((*model.GuestInvitation)(nil)).
		Where("gi.invited_by_id = ? AND gi.accepted_at IS NULL AND gi.revoked_at IS NULL AND gi.expires_at > ?", invitedByID, now).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count pending invitations: %w", err)
	}
	return int(n), nil
}

// RevokeGuestInvitation revokes an invitation that is still pending at now; false when it is
// not (used, revoked, expired or gone).
func (s *Store) RevokeGuestInvitation(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*model.GuestInvitation)(nil)).Set("revoked_at = ?", now).
		Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", id, now).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("revoke invitation %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimGuestInvitation marks a pending invitation accepted at now; false when it is not
// pending. The condition is in the UPDATE itself, so of two concurrent uses of one link
// only one claims it: the other waits for the row lock and then matches nothing.
func (s *Store) ClaimGuestInvitation(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*model.GuestInvitation)(nil)).Set("accepted_at = ?", now).
		Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", id, now).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim invitation %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetGuestInvitationAccount records the account an accepted invitation created.
func (s *Store) SetGuestInvitationAccount(ctx context.Context, id, accountID string) error {
	_, err := s.db.NewUpdate().Model((*model.GuestInvitation)(nil)).Set("account_id = ?", accountID).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set invitation account %s: %w", id, err)
	}
	return nil
}

// SetGuestInvitationMail records the outcome of mailing an invitation: the time it was
// handed to the mail server, or why it was not.
func (s *Store) SetGuestInvitationMail(ctx context.Context, id string, mailedAt *time.Time, mailError string) error {
	_, err := s.db.NewUpdate().Model((*model.GuestInvitation)(nil)).
		Set("mailed_at = ?", mailedAt).Set("mail_error = ?", mailError).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set invitation mail %s: %w", id, err)
	}
	return nil
}

// LocalAccountByEmail returns the local account with the given (lower-case) email.
func (s *Store) LocalAccountByEmail(ctx context.Context, email string) (*model.Account, error) {
	a := new(model.Account)
	err := s.db.NewSelect().Model(a).Where("email = ? AND domain = ''", email).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "account by email")
	}
	return a, nil
}

// InvitableGroups returns the local groups that are not archived and that accountID may
// invite into: every one with all, else those it moderates and the open ones it is an
// active member of. Ordered by name, at most limit.
func (s *Store) InvitableGroups(ctx context.Context, accountID string, all bool, limit int) ([]*model.Group, error) {
	var list []*model.Group
	q := s.db.NewSelect().Model(&list).Where("grp.domain = '' AND grp.archived_at IS NULL")
	if !all {
		q = q.Where(`EXISTS (SELECT 1 FROM group_members AS m WHERE m.group_id = grp.id AND m.account_id = ?
			AND m.state = ? AND (m.role IN (?) OR grp.kind = ?))`,
			accountID, model.MemberActive, bun.In([]model.GroupRole{model.GroupOwner, model.GroupModerator}), model.GroupOpen)
	}
	if err := q.OrderExpr("grp.name ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("invitable groups of %s: %w", accountID, err)
	}
	return list, nil
}

// SetAccountExpiry sets (nil: clears) an account's expiry.
func (s *Store) SetAccountExpiry(ctx context.Context, id string, expiresAt *time.Time, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*model.Account)(nil)).
		Set("expires_at = ?", expiresAt).Set("updated_at = ?", now).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set expiry of %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("set expiry of %s: %w", id, ErrNotFound)
	}
	s.invalidateAccounts()
	return nil
}

// EndSessions deletes every session of an account.
func (s *Store) EndSessions(ctx context.Context, accountID string) error {
	if _, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("account_id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("end sessions of %s: %w", accountID, err)
	}
	return nil
}

// RevokeTokens revokes every live API token of an account.
func (s *Store) RevokeTokens(ctx context.Context, accountID string, at time.Time) error {
	_, err := s.db.NewUpdate().Model((*model.Token)(nil)).Set("revoked_at = ?", at).
		Where("account_id = ? AND revoked_at IS NULL", accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", accountID, err)
	}
	return nil
}

// GuestFilter selects a page of local guests for the admins.
type GuestFilter struct {
	// After is the username to continue after.
	After string
	Limit int
}

// LocalGuests lists local guest accounts by username, deactivated ones included.
func (s *Store) LocalGuests(ctx context.Context, f GuestFilter) ([]*model.Account, error) {
	var list []*model.Account
	q := s.db.NewSelect().Model(&list).Where("domain = '' AND role = ?", model.RoleGuest).
		OrderExpr("username ASC").Limit(int64(f.Limit))
	if f.After != "" {
		q = q.Where("username > ?", f.After)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list guests: %w", err)
	}
	return list, nil
}
