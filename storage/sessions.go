package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// CreateSession stores a login session.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	if _, err := s.db.NewInsert().Model(sess).Exec(ctx); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the session with the given id (the hash of the cookie secret).
func (s *Store) Session(ctx context.Context, id string) (*model.Session, error) {
	sess := new(model.Session)
	if err := s.db.NewSelect().Model(sess).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return sess, nil
}

// TouchSession moves a session's last use and expiry forward.
func (s *Store) TouchSession(ctx context.Context, id string, seen, expires time.Time) error {
	_, err := s.db.NewUpdate().Model((*model.Session)(nil)).
		Set("last_seen_at = ?", seen).Set("expires_at = ?", expires).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteOtherSessions ends every session of an account except keepID.
func (s *Store) DeleteOtherSessions(ctx context.Context, accountID, keepID string) error {
	_, err := s.db.NewDelete().Model((*model.Session)(nil)).
		Where("account_id = ? AND id <> ?", accountID, keepID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete other sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("expires_at < ?", now).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
