package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// CreateToken stores a personal access token (its hash only).
func (s *Store) CreateToken(ctx context.Context, t *model.Token) error {
	if _, err := s.db.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// TokenByHash returns the live (unrevoked) token with the given hash and, in the same
// query, its account (Token.Account): authenticating an API request is one round trip.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*model.Token, error) {
	t := new(model.Token)
	err := s.db.NewSelect().Model(t).Relation("Account").
		Where("token.hash = ? AND token.revoked_at IS NULL", hash).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "token")
	}
	if t.Account == nil || t.Account.ID == "" {
		return nil, fmt.Errorf("token: %w", ErrNotFound)
	}
	return t, nil
}

// TokensOf lists an account's tokens, newest first, revoked ones included.
func (s *Store) TokensOf(ctx context.Context, accountID string) ([]*model.Token, error) {
	var list []*model.Token
	err := s.db.NewSelect().Model(&list).Where("account_id = ?", accountID).
		OrderExpr("id DESC").Limit(200).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", accountID, err)
	}
	return list, nil
}

// MarkTokenUsed records the time a token was last used.
func (s *Store) MarkTokenUsed(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.NewUpdate().Model((*model.Token)(nil)).Set("last_used_at = ?", at).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark token used: %w", err)
	}
	return nil
}

// RevokeToken revokes one of an account's tokens; ErrNotFound if it has no such live token.
func (s *Store) RevokeToken(ctx context.Context, accountID, id string, at time.Time) error {
	res, err := s.db.NewUpdate().Model((*model.Token)(nil)).Set("revoked_at = ?", at).
		Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke token %s: %w", id, ErrNotFound)
	}
	return nil
}
