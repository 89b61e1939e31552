package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// The company directory is this node's active accounts that are not guests, and the
// people of sibling nodes whose directory lists them (accounts.listed). Which domains
// are siblings is the caller's to say: the allowlist can change at any time, and a
// partner's users never count, whatever is cached of them.

// directoryExcluded leaves out what a directory page never shows: keys, password,
// profile text.
var directoryExcluded = []string{"private_key_pem", "password_hash", "about_source", "about_html", "public_key_pem"}

// directoryScope restricts q to the directory's people. Its terms are written as the
// partial indexes of the directory state them, so both databases use those indexes.
func directoryScope(q *bun.SelectQuery, domains []string, includeDeactivated bool) *bun.SelectQuery {
	if !includeDeactivated {
		q = q.Where("deactivated_at IS NULL")
	}
	q = q.Where("role <> ?", model.RoleGuest).Where("listed")
	if len(domains) == 0 {
		return q.Where("domain = ''")
	}
	return q.Where("(domain = '' OR domain IN (?))", bun.In(domains))
}

// DirectoryFilter selects a page of the company directory.
type DirectoryFilter struct {
	// Domains are the sibling nodes (host:port) whose listed people count.
	Domains []string
	// Text matches username, display name or job title, case-insensitively.
	Text string
	// Site, Department and Skill match exactly (skills are stored lower-case).
	Site, Department, Skill string
	// After and AfterDomain continue after that person (keyset by username, domain).
	After, AfterDomain string
	Limit              int
	// IncludeDeactivated adds deactivated accounts (for admins).
	IncludeDeactivated bool
}

// ListDirectory returns people of the company directory ordered by username and domain.
// It finds the page's ids first, from the directory's index alone, then reads their
// rows: a search that matches few people walks the index, never the rows.
func (s *Store) ListDirectory(ctx context.Context, f DirectoryFilter) ([]*model.Account, error) {
	q := s.db.NewSelect().Model((*model.Account)(nil)).Column("id").
		OrderExpr("username ASC, domain ASC").Limit(int64(f.Limit))
	q = directoryScope(q, f.Domains, f.IncludeDeactivated)
	if f.Site != "" {
		q = q.Where("site = ?", f.Site)
	}
	if f.Department != "" {
		q = q.Where("department = ?", f.Department)
	}
	if f.Skill != "" {
		q = q.Where("id IN (SELECT account_id FROM skills WHERE tag = ?)", strings.ToLower(f.Skill))
	}
	if f.After != "" {
		// A row value, so that both databases read the index from the cursor on.
		q = q.Where("(username, domain) > (?, ?)", f.After, f.AfterDomain)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		// Case-insensitive either way: SQLite's LIKE ignores ASCII case (its LOWER knows
		// no more than that), PostgreSQL compares lower-case.
		if s.Postgres() {
			// search_text is the three fields lower-cased, joined by a character nobody
			// types (a generated column, migration 20261125000009): one LIKE per entry.
			q = q.Where("search_text LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(t))+"%")
		} else {
			like := "%" + escapeLike(t) + "%"
			q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				for _, col := range []string{"username", "display_name", "job_title"} {
					q = q.WhereOr("? LIKE ? ESCAPE '\\'", bun.Ident(col), like)
				}
				return q
			})
		}
	}
	var ids []string
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("list directory: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var list []*model.Account
	err := s.db.NewSelect().Model(&list).ExcludeColumn(directoryExcluded...).Where("id IN (?)", bun.In(ids)).
		OrderExpr("username ASC, domain ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list directory: %w", err)
	}
	return list, nil
}

// DirectoryValues returns the distinct non-empty values of column ("site" or
// "department") among the directory's active people, sorted, at most limit.
func (s *Store) DirectoryValues(ctx context.Context, domains []string, column string, limit int) ([]string, error) {
	if column != "site" && column != "department" {
		return nil, fmt.Errorf("directory values of %q: not a directory column", column)
	}
	var out []string
	q := s.db.NewSelect().Model((*model.Account)(nil)).ColumnExpr("DISTINCT ?", bun.Ident(column)).
		Where("? <> ''", bun.Ident(column)).OrderExpr("? ASC", bun.Ident(column)).Limit(int64(limit))
	q = directoryScope(q, domains, false)
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("directory values of %s: %w", column, err)
	}
	return out, nil
}

// SkillsOf returns the skills of each of the accounts ids, sorted; accounts without
// skills are missing from the map.
func (s *Store) SkillsOf(ctx context.Context, ids []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		var rows []model.Skill
		err := s.db.NewSelect().Model(&rows).Where("account_id IN (?)", bun.In(chunk)).
			OrderExpr("account_id ASC, tag ASC").Scan(ctx)
		if err != nil {
			return nil, fmt.Errorf("skills of %d accounts: %w", len(chunk), err)
		}
		for _, r := range rows {
			out[r.AccountID] = append(out[r.AccountID], r.Tag)
		}
	}
	return out, nil
}

// inChunk bounds the ids of one IN list.
const inChunk = 500

// OrgEdge is one person of the org chart and their manager.
type OrgEdge struct {
	ID, Username, Domain, DisplayName, JobTitle string
	ManagerID                                   *string
}

// OrgEdges returns every person of the company directory with their manager's id: the
// whole org chart, with what it shows of each person. The directory's index covers it:
// no row is read.
func (s *Store) OrgEdges(ctx context.Context, domains []string) ([]OrgEdge, error) {
	q := s.db.NewSelect().Model((*model.Account)(nil)).
		Column("id", "manager_id", "username", "domain", "display_name", "job_title")
	if !s.Postgres() {
		// Without statistics SQLite takes a narrower index of the directory and reads
		// every row besides; this one holds every column read.
		q = q.ModelTableExpr(`"accounts" AS "account" INDEXED BY accounts_directory`)
	}
	// Scanned by hand: for every person of the company, reflection per row would cost
	// more than the query.
	rows, err := directoryScope(q, domains, false).Rows(ctx)
	if err != nil {
		return nil, fmt.Errorf("org chart: %w", err)
	}
	defer rows.Close()
	var out []OrgEdge
	for rows.Next() {
		var e OrgEdge
		var manager sql.NullString
		if err := rows.Scan(&e.ID, &manager, &e.Username, &e.Domain, &e.DisplayName, &e.JobTitle); err != nil {
			return nil, fmt.Errorf("org chart: %w", err)
		}
		if manager.Valid {
			e.ManagerID = &manager.String
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org chart: %w", err)
	}
	return out, nil
}

// DirectoryReports returns the directory's people whose manager is managerID, by name.
func (s *Store) DirectoryReports(ctx context.Context, domains []string, managerID string, limit int) ([]*model.Account, error) {
	var list []*model.Account
	q := s.db.NewSelect().Model(&list).ExcludeColumn(directoryExcluded...).
		Where("manager_id = ?", managerID).OrderExpr("display_name ASC, username ASC, domain ASC").Limit(int64(limit))
	q = directoryScope(q, domains, false)
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports of %s: %w", managerID, err)
	}
	return list, nil
}

// InDirectory reports which of ids are people of the company directory.
func (s *Store) InDirectory(ctx context.Context, domains []string, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		var found []string
		q := s.db.NewSelect().Model((*model.Account)(nil)).Column("id").Where("id IN (?)", bun.In(chunk))
		if err := directoryScope(q, domains, false).Scan(ctx, &found); err != nil {
			return nil, fmt.Errorf("in directory: %w", err)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// MarkDirectorySeen records that a sibling's directory listed the accounts ids at at:
// they are listed again, and their cached profile counts as fetched then (unless it was
// fetched later).
func (s *Store) MarkDirectorySeen(ctx context.Context, ids []string, at time.Time) error {
	relisted := int64(0)
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		res, err := s.db.NewUpdate().Model((*model.Account)(nil)).Set("listed = ?", true).
			Where("id IN (?) AND domain <> '' AND NOT listed", bun.In(chunk)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("list %d accounts again: %w", len(chunk), err)
		}
		n, _ := res.RowsAffected()
		relisted += n
		_, err = s.db.NewUpdate().Model((*model.Account)(nil)).Set("directory_seen_at = ?", at).
			Set("fetched_at = CASE WHEN fetched_at > ? THEN fetched_at ELSE ? END", at, at).
			Where("id IN (?) AND domain <> ''", bun.In(chunk)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("mark %d accounts seen: %w", len(chunk), err)
		}
	}
	// Reading an unchanged directory changes no one's place in it: what is derived from
	// all accounts stays valid. The times written matter to nothing cached.
	if relisted > 0 {
		s.invalidateAccounts()
	}
	return nil
}

// UnlistUnseen takes out of the directory the listed accounts of domain that a directory
// read which began at since did not list, and returns how many. Accounts stay: they may
// have written posts.
func (s *Store) UnlistUnseen(ctx context.Context, domain string, since time.Time) (int64, error) {
	if domain == "" {
		return 0, fmt.Errorf("unlist unseen: %w", ErrConflict)
	}
	res, err := s.db.NewUpdate().Model((*model.Account)(nil)).Set("listed = ?", false).
		Where("domain = ? AND listed", domain).
		WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Where("directory_seen_at IS NULL").WhereOr("directory_seen_at < ?", since)
		}).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("unlist unseen of %s: %w", domain, err)
	}
	n, _ := res.RowsAffected()
	s.invalidateAccounts()
	return n, nil
}

// Unlist takes the remote account id out of the directory.
func (s *Store) Unlist(ctx context.Context, id string) error {
	_, err := s.db.NewUpdate().Model((*model.Account)(nil)).Set("listed = ?", false).
		Where("id = ? AND domain <> ''", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("unlist %s: %w", id, err)
	}
	s.invalidateAccounts()
	return nil
}

// Listed reports whether the account id is listed (local accounts always are).
func (s *Store) Listed(ctx context.Context, id string) (bool, error) {
	var listed bool
	err := s.db.NewSelect().Model((*model.Account)(nil)).Column("listed").Where("id = ?", id).Scan(ctx, &listed)
	if err != nil {
		return false, notFound(err, "account "+id)
	}
	return listed, nil
}

// SetManager sets the manager of the remote account id (nil for none).
func (s *Store) SetManager(ctx context.Context, id string, managerID *string) error {
	_, err := s.db.NewUpdate().Model((*model.Account)(nil)).Set("manager_id = ?", managerID).
		Where("id = ? AND domain <> ''", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set manager of %s: %w", id, err)
	}
	s.invalidateAccounts()
	return nil
}

// LocalDirectory returns the node's own people of the directory after the username
// after, in username order: what this node publishes to its siblings.
func (s *Store) LocalDirectory(ctx context.Context, after string, limit int) ([]*model.Account, error) {
	var list []*model.Account
	q := s.db.NewSelect().Model(&list).ExcludeColumn("private_key_pem", "password_hash", "about_source").
		Where("username > ?", after).OrderExpr("username ASC, domain ASC").Limit(int64(limit))
	if err := directoryScope(q, nil, false).Scan(ctx); err != nil {
		return nil, fmt.Errorf("local directory: %w", err)
	}
	return list, nil
}

// CountLocalDirectory counts the node's own people of the directory.
func (s *Store) CountLocalDirectory(ctx context.Context) (int, error) {
	n, err := directoryScope(s.db.NewSelect().Model((*model.Account)(nil)), nil, false).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count local directory: %w", err)
	}
	return int(n), nil
}
