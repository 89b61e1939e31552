package storage

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage/migrations"
	"github.com/uptrace/bun"
)

// SearchCandidates bounds the posts a search ranks: the newest this many matches the
// viewer may see. A rare word is ranked over all its posts; a common one over its
// recent posts only. The cost of a search grows with this number, not with the number
// of posts: PostgreSQL walks posts newest first until it has found this many matches
// (about SearchCandidates / share of posts holding the word), SQLite walks the word's
// entries newest first; scoring every match of a common word in a million posts would
// take seconds.
const SearchCandidates = 300

// tagCandidates bounds the hashtags a search counts posts for, and tagCountCap the
// posts counted per hashtag.
const (
	tagCandidates = 20
	TagCountCap   = 100
)

// indexPost stores the search terms of a post's current text, replacing earlier ones.
// Every function that writes a post's HTML calls it in the same transaction, so UI,
// API and inbox posts are all found; deleting the post removes them by cascade.
func (s *Store) indexPost(ctx context.Context, p *model.Post) error {
	terms := fulltext.Terms(fulltext.PlainText(p.HTML))
	root := p.ID
	if p.RootID != nil {
		root = *p.RootID
	}
	if s.Postgres() {
		_, err := s.db.ExecContext(ctx, `INSERT INTO post_search (post_id, root_id, tsv) VALUES (?, ?, to_tsvector('simple', ?))
			ON CONFLICT (post_id) DO UPDATE SET tsv = EXCLUDED.tsv`, p.ID, root, terms)
		if err != nil {
			return fmt.Errorf("index post %s: %w", p.ID, err)
		}
		return nil
	}
	var id int64
	err := s.db.NewRaw(`INSERT INTO post_search (post_id, root_id) VALUES (?, ?)
		ON CONFLICT (post_id) DO UPDATE SET post_id = excluded.post_id RETURNING id`, p.ID, root).Scan(ctx, &id)
	if err != nil {
		return fmt.Errorf("index post %s: %w", p.ID, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO post_fts (rowid, terms) VALUES (?, ?)`, id, terms); err != nil {
		return fmt.Errorf("index post %s: %w", p.ID, err)
	}
	return nil
}

// PostHit is a post or comment a search found, with its score (lower is better).
type PostHit struct {
	PostID string  `bun:"post_id"`
	Score  float64 `bun:"score"`
}

// SearchPosts returns the posts and comments matching q that v may see, best first. A
// comment is visible exactly when its thread's root is, so visible() is applied to the
// root (post_search.root_id), the way VisiblePost does; for a post the root is the post
// itself. Ties keep the newer post first. Only the newest SearchCandidates matches the
// viewer may see are ranked.
func (s *Store) SearchPosts(ctx context.Context, v Viewer, q fulltext.Query, limit, offset int) ([]PostHit, error) {
	var hits []PostHit
	if q.Empty() {
		return hits, nil
	}
	if s.Postgres() {
		return s.searchPostsPG(ctx, v, q, limit, offset)
	}
	inner := s.db.NewSelect().TableExpr("post_fts").
		ColumnExpr("ps.post_id, bm25(post_fts) AS score").
		Join("JOIN post_search AS ps ON ps.id = post_fts.rowid").
		Join("JOIN posts AS post ON post.id = ps.root_id").
		Where("post_fts MATCH ?", q.FTS5())
	inner = visible(inner, v).OrderExpr("post_fts.rowid DESC").Limit(SearchCandidates)
	err := s.db.NewSelect().TableExpr("(?) AS c", inner).ColumnExpr("c.post_id, c.score").
		OrderExpr("c.score ASC, c.post_id DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx, &hits)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	return hits, nil
}

// fewMatches is the number of matching posts up to which PostgreSQL takes them all from
// the GIN index and sorts them, instead of walking posts newest first.
const fewMatches = 1000

// searchPostsPG is SearchPosts on PostgreSQL. Which plan is fast depends on how many
// posts hold the words: for a common word, walking post_search newest first finds
// SearchCandidates matches after a few thousand rows; for a rare one that walk reads
// the whole table, and the GIN index should give its few matches instead. The planner's
// estimate for words outside its statistics is often wrong by orders of magnitude (a
// word in 0.01% of a million posts took 2 s), so the matches are counted first, up to
// fewMatches, through the GIN index alone, and the plan is set for the query.
func (s *Store) searchPostsPG(ctx context.Context, v Viewer, q fulltext.Query, limit, offset int) ([]PostHit, error) {
	var hits []PostHit
	tsq := q.TSQuery()
	// The root is checked in a LATERAL subquery: one lookup per match taken, where a
	// join lets the planner hash every visible post first.
	root := visible(s.db.NewSelect().TableExpr("posts AS post").ColumnExpr("1 AS one").
		Where("post.id = ps.root_id"), v).Limit(1)
	err := s.InTx(ctx, func(tx *Store) error {
		set := func(settings ...string) error {
			for _, st := range settings {
				if _, err := tx.db.ExecContext(ctx, "SET LOCAL "+st); err != nil {
					return err
				}
			}
			return nil
		}
		if err := set("enable_seqscan = off", "enable_indexscan = off"); err != nil {
			return err
		}
		var n int
		err := tx.db.NewRaw("SELECT COUNT(*) FROM (SELECT 1 FROM post_search WHERE tsv @@ to_tsquery('simple', ?) LIMIT ?) AS m",
			tsq, fewMatches+1).Scan(ctx, &n)
		if err != nil {
			return err
		}
		if n > fewMatches {
			if err := set("enable_seqscan = on", "enable_indexscan = on", "enable_bitmapscan = off"); err != nil {
				return err
			}
		}
		inner := tx.db.NewSelect().TableExpr("post_search AS ps").
			ColumnExpr("ps.post_id, -ts_rank(ps.tsv, to_tsquery('simple', ?), 1) AS score", tsq).
			Join("CROSS JOIN LATERAL (?) AS root", root).
			Where("ps.tsv @@ to_tsquery('simple', ?)", tsq).
			OrderExpr("ps.post_id DESC").Limit(SearchCandidates)
		err = tx.db.NewSelect().TableExpr("(?) AS c", inner).ColumnExpr("c.post_id, c.score").
			OrderExpr("c.score ASC, c.post_id DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx, &hits)
		if err != nil {
			return err
		}
		// SET LOCAL lasts to the end of the transaction, which may be the caller's.
		return set("enable_seqscan = DEFAULT", "enable_indexscan = DEFAULT", "enable_bitmapscan = DEFAULT")
	})
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	return hits, nil
}

// PostsByIDs returns the posts with the given ids, keyed by id, whoever may see them:
// callers pass ids a visibility query returned.
func (s *Store) PostsByIDs(ctx context.Context, ids []string) (map[string]*model.Post, error) {
	out := make(map[string]*model.Post, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Post
	if err := s.db.NewSelect().Model(&list).Where("post.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("posts by ids: %w", err)
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// nameMatches is a subquery of (id, score) for the rows of table whose search text
// (migrations.AccountSearchText or GroupSearchText) has every word of q as a word
// prefix. On SQLite it reads the trigger-kept FTS5 table, on PostgreSQL the expression
// index.
func (s *Store) nameMatches(q fulltext.Query, table, ftsTable, idColumn, text string) *bun.SelectQuery {
	if s.Postgres() {
		doc := "to_tsvector('simple'::regconfig, " + text + ")"
		tsq := q.PrefixTSQuery()
		return s.db.NewSelect().TableExpr(table).
			ColumnExpr("id AS match_id, -ts_rank("+doc+", to_tsquery('simple', ?)) AS score", tsq).
			Where(doc+" @@ to_tsquery('simple', ?)", tsq)
	}
	// rank is bm25() as a column, which SQLite also evaluates inside UNION ALL.
	return s.db.NewSelect().TableExpr(ftsTable).
		ColumnExpr("? AS match_id, rank AS score", bun.Ident(idColumn)).
		Where("? MATCH ?", bun.Ident(ftsTable), q.PrefixFTS5())
}

// SearchAccounts returns active accounts, local and cached remote, whose name, username,
// job title, department or site has every word of q as a word prefix, or who have the
// whole query as a skill; best first. Guests find only themselves and the active
// members of their groups.
func (s *Store) SearchAccounts(ctx context.Context, v Viewer, q fulltext.Query, skill string, limit, offset int) ([]*model.Account, error) {
	var list []*model.Account
	if len(q.Words) == 0 {
		return list, nil
	}
	matches := s.nameMatches(q, "accounts", "account_fts", "account_id", migrations.AccountSearchText)
	if skill != "" {
		matches = matches.UnionAll(s.db.NewSelect().TableExpr("skills").
			ColumnExpr("account_id AS match_id, 0 AS score").Where("tag = ?", skill))
	}
	best := s.db.NewSelect().TableExpr("(?) AS u", matches).ColumnExpr("u.match_id, MIN(u.score) AS score").Group("u.match_id")
	sel := s.db.NewSelect().Model(&list).Join("JOIN (?) AS m ON m.match_id = account.id", best).
		Where("account.deactivated_at IS NULL")
	if v.Guest {
		sel = sel.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("account.id = ?", v.AccountID).WhereOr(`account.id IN (SELECT m2.account_id FROM group_members AS m2
				WHERE m2.state = ? AND m2.group_id IN (SELECT m1.group_id FROM group_members AS m1 WHERE m1.account_id = ? AND m1.state = ?))`,
				model.MemberActive, v.AccountID, model.MemberActive)
		})
	}
	err := sel.OrderExpr("m.score ASC, account.username ASC, account.domain ASC").
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	return list, nil
}

// SearchGroups returns the groups whose handle, name or description has every word of q
// as a word prefix, among those the group directory lists to v; best first.
func (s *Store) SearchGroups(ctx context.Context, v Viewer, viewerDomain string, q fulltext.Query, limit, offset int) ([]*model.Group, error) {
	var list []*model.Group
	if len(q.Words) == 0 {
		return list, nil
	}
	matches := s.nameMatches(q, "groups", "group_fts", "group_id", migrations.GroupSearchText)
	sel := s.db.NewSelect().Model(&list).Join("JOIN (?) AS m ON m.match_id = grp.id", matches)
	err := listedGroups(sel, v, viewerDomain).OrderExpr("m.score ASC, grp.name ASC, grp.domain ASC").
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("search groups: %w", err)
	}
	return list, nil
}

// TagHit is a hashtag with the number of posts carrying it that the viewer may see,
// counted up to TagCountCap.
type TagHit struct {
	Tag   string `bun:"tag"`
	Posts int    `bun:"n"`
}

// SearchTags returns hashtags starting with prefix (lower-case, without #) that the
// viewer may see on at least one post, with their visible post counts; the exact tag
// first, then by count. Only the first tagCandidates tags in name order are counted.
func (s *Store) SearchTags(ctx context.Context, v Viewer, prefix string) ([]TagHit, error) {
	var hits []TagHit
	if prefix == "" {
		return hits, nil
	}
	n := utf8.RuneCountInString(prefix)
	// A walk from tag to next tag along post_tags_tag reads one index entry per tag,
	// however many posts carry it.
	var tags []string
	err := s.db.NewRaw(`WITH RECURSIVE t(tag, i) AS (
			SELECT MIN(tag), 1 FROM post_tags WHERE tag >= ?
			UNION ALL
			SELECT (SELECT MIN(pt.tag) FROM post_tags AS pt WHERE pt.tag > t.tag), t.i + 1
			FROM t WHERE t.i < ? AND SUBSTR(t.tag, 1, ?) = ?
		) SELECT tag FROM t WHERE SUBSTR(tag, 1, ?) = ?`, prefix, tagCandidates, n, prefix, n, prefix).Scan(ctx, &tags)
	if err != nil {
		return nil, fmt.Errorf("search tags: %w", err)
	}
	if len(tags) == 0 {
		return hits, nil
	}
	var union *bun.SelectQuery
	for _, tag := range tags {
		capped := visible(s.db.NewSelect().TableExpr("post_tags AS pt").ColumnExpr("1 AS one").
			Join("JOIN posts AS post ON post.id = pt.post_id").Where("pt.tag = ?", tag), v).Limit(TagCountCap)
		one := s.db.NewSelect().ColumnExpr("? AS tag, (SELECT COUNT(*) FROM (?) AS c) AS n", tag, capped)
		if union == nil {
			union = one
		} else {
			union = union.UnionAll(one)
		}
	}
	err = s.db.NewSelect().TableExpr("(?) AS counted", union).ColumnExpr("counted.tag, counted.n").
		Where("counted.n > 0").OrderExpr("CASE WHEN counted.tag = ? THEN 0 ELSE 1 END, counted.n DESC, counted.tag ASC", prefix).
		Scan(ctx, &hits)
	if err != nil {
		return nil, fmt.Errorf("count tags: %w", err)
	}
	return hits, nil
}
