package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// CreateAccount inserts an account; ErrConflict when its username or URI is taken.
func (s *Store) CreateAccount(ctx context.Context, a *model.Account) error {
	if _, err := s.db.NewInsert().Model(a).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("create account %s: %w", a.Username, ErrConflict)
		}
		return fmt.Errorf("create account %s: %w", a.Username, err)
	}
	s.invalidateAccounts()
	return nil
}

// Account returns the account with the given id.
func (s *Store) Account(ctx context.Context, id string) (*model.Account, error) {
	a := new(model.Account)
	if err := s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "account "+id)
	}
	return a, nil
}

// LocalAccountByUsername returns the local account with the given username.
func (s *Store) LocalAccountByUsername(ctx context.Context, username string) (*model.Account, error) {
	a := new(model.Account)
	err := s.db.NewSelect().Model(a).Where("username = ? AND domain = ''", username).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "account "+username)
	}
	return a, nil
}

// AccountsByIDs returns the accounts with the given ids, keyed by id.
func (s *Store) AccountsByIDs(ctx context.Context, ids []string) (map[string]*model.Account, error) {
	return s.accountsByIDs(ctx, ids)
}

// secretColumns are the account columns only sign-in and signing read.
var secretColumns = []string{"password_hash", "private_key_pem", "public_key_pem"}

// ProfilesByIDs is AccountsByIDs without the password hash and the keys: the authors
// of a page of posts, the members of a group. A page of 20 authors then reads about
// 300 bytes a row instead of 2.5 kB, and no secret is in memory for showing a name.
func (s *Store) ProfilesByIDs(ctx context.Context, ids []string) (map[string]*model.Account, error) {
	return s.accountsByIDs(ctx, ids, secretColumns...)
}

func (s *Store) accountsByIDs(ctx context.Context, ids []string, exclude ...string) (map[string]*model.Account, error) {
	out := make(map[string]*model.Account, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Account
	q := s.db.NewSelect().Model(&list).Where("id IN (?)", bun.In(ids))
	if len(exclude) > 0 {
		q = q.ExcludeColumn(exclude...)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("accounts by ids: %w", err)
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

// LocalAccountsByUsernames returns local accounts for the given usernames, keyed by username.
func (s *Store) LocalAccountsByUsernames(ctx context.Context, names []string) (map[string]*model.Account, error) {
	out := make(map[string]*model.Account, len(names))
	if len(names) == 0 {
		return out, nil
	}
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).Where("domain = '' AND username IN (?)", bun.In(names)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts by usernames: %w", err)
	}
	for _, a := range list {
		out[a.Username] = a
	}
	return out, nil
}

// CountActiveAdmins counts local admins that are not deactivated.
func (s *Store) CountActiveAdmins(ctx context.Context) (int, error) {
	q := s.db.NewSelect().Model((*model.Account)(nil)).Column("id").
		Where("role = ? AND domain = '' AND deactivated_at IS NULL", model.RoleAdmin)
	if s.Postgres() {
		// Locking the admin rows makes two concurrent demotions wait for each other, so
		// they cannot both see the other admin and leave the node without one. SQLite
		// transactions take the write lock up front (_txlock=immediate) and need no lock.
		q = q.For("UPDATE")
	}
	var ids []string
	if err := q.Scan(ctx, &ids); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return len(ids), nil
}

// UpdateAccount writes the named columns of a.
func (s *Store) UpdateAccount(ctx context.Context, a *model.Account, columns ...string) error {
	_, err := s.db.NewUpdate().Model(a).Column(columns...).WherePK().Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("update account %s: %w", a.ID, ErrConflict)
		}
		return fmt.Errorf("update account %s: %w", a.ID, err)
	}
	s.invalidateAccounts()
	return nil
}

// AccountFilter selects accounts for the people list.
type AccountFilter struct {
	// Text matches username, display name, job title, department or site.
	Text string
	// After is the username to continue after (keyset pagination).
	After string
	// AfterDomain is the domain of the account at After, so cached remote accounts that
	// share its username are not skipped; "" for a local account.
	AfterDomain        string
	Limit              int
	IncludeDeactivated bool
}

// ListAccounts returns accounts ordered by username, local ones and cached remote ones.
func (s *Store) ListAccounts(ctx context.Context, f AccountFilter) ([]*model.Account, error) {
	var list []*model.Account
	q := s.db.NewSelect().Model(&list).OrderExpr("username ASC, domain ASC").Limit(int64(f.Limit))
	if !f.IncludeDeactivated {
		q = q.Where("deactivated_at IS NULL")
	}
	if f.After != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("username > ?", f.After).WhereOr("username = ? AND domain > ?", f.After, f.AfterDomain)
		})
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(strings.ToLower(t)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, col := range []string{"username", "display_name", "job_title", "department", "site"} {
				q = q.WhereOr("LOWER(?) LIKE ? ESCAPE '\\'", bun.Ident(col), like)
			}
			return q
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return list, nil
}

// DirectReports returns the active accounts whose manager is managerID.
func (s *Store) DirectReports(ctx context.Context, managerID string) ([]*model.Account, error) {
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).
		Where("manager_id = ? AND deactivated_at IS NULL", managerID).
		OrderExpr("display_name ASC, username ASC").Limit(500).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("direct reports of %s: %w", managerID, err)
	}
	return list, nil
}

// Skills returns an account's skill tags, sorted.
func (s *Store) Skills(ctx context.Context, accountID string) ([]string, error) {
	var tags []string
	err := s.db.NewSelect().Model((*model.Skill)(nil)).Column("tag").
		Where("account_id = ?", accountID).OrderExpr("tag ASC").Scan(ctx, &tags)
	if err != nil {
		return nil, fmt.Errorf("skills of %s: %w", accountID, err)
	}
	return tags, nil
}

// ReplaceSkills sets an account's skills to tags. Call it inside InTx.
func (s *Store) ReplaceSkills(ctx context.Context, accountID string, tags []string) error {
	if _, err := s.db.NewDelete().Model((*model.Skill)(nil)).Where("account_id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("clear skills: %w", err)
	}
	if len(tags) == 0 {
		return nil
	}
	rows := make([]model.Skill, len(tags))
	for i, t := range tags {
		rows[i] = model.Skill{AccountID: accountID, Tag: t}
	}
	if _, err := s.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert skills: %w", err)
	}
	return nil
}

// DeactivateAccount marks the account deactivated and ends its sessions and tokens.
// Call it inside InTx.
func (s *Store) DeactivateAccount(ctx context.Context, id string, at time.Time) error {
	if _, err := s.db.NewUpdate().Model((*model.Account)(nil)).
		Set("deactivated_at = ?", at).Set("updated_at = ?", at).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("deactivate %s: %w", id, err)
	}
	if _, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("account_id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("end sessions of %s: %w", id, err)
	}
	if _, err := s.db.NewUpdate().Model((*model.Token)(nil)).Set("revoked_at = ?", at).
		Where("account_id = ? AND revoked_at IS NULL", id).Exec(ctx); err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", id, err)
	}
	s.invalidateAccounts()
	return nil
}

// escapeLike escapes LIKE wildcards so user text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
