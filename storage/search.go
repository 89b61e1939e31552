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

// TagSearchBound bounds the work of a hashtag search: the tags counted (the first in name
// order with the prefix) and the visible posts counted per tag. Each counted post is a
// lookup of its row, so the cost is about Tags × Cap row reads.
type TagSearchBound struct {
	Tags int
	Cap  int
}

// TagsPage bounds the hashtag tab.
func TagsPage() TagSearchBound { return TagSearchBound{Tags: 20, Cap: 100} }

// TagsOnAllPage bounds the hashtags of the page showing every kind, a few beside the
// posts.
func TagsOnAllPage() TagSearchBound { return TagSearchBound{Tags: 5, Cap: 20} }

// indexPost stores the search terms of a post's current text, replacing earlier ones,
// with a copy of its thread root's visibility columns (see migration
// 20261125000012_search_visibility; a trigger on posts keeps the copy current). Every
// function that writes a post's HTML calls it in the same transaction, so UI, API and
// inbox posts are all found; deleting the post removes them by cascade.
func (s *Store) indexPost(ctx context.Context, p *model.Post) error {
	terms := fulltext.Terms(fulltext.PlainText(p.HTML))
	root := p.ID
	if p.RootID != nil {
		root = *p.RootID
	}
	if s.Postgres() {
		_, err := s.db.ExecContext(ctx, `INSERT INTO post_search (post_id, root_id, tsv, `+searchVisibilityColumns+`)
			SELECT ?, r.id, to_tsvector('simple', ?), r.account_id, r.audience, r.group_id, r.state FROM posts AS r WHERE r.id = ?
			ON CONFLICT (post_id) DO UPDATE SET tsv = EXCLUDED.tsv`, p.ID, terms, root)
		if err != nil {
			return fmt.Errorf("index post %s: %w", p.ID, err)
		}
		return nil
	}
	var id int64
	err := s.db.NewRaw(`INSERT INTO post_search (post_id, root_id, `+searchVisibilityColumns+`)
		SELECT ?, r.id, r.account_id, r.audience, r.group_id, r.state FROM posts AS r WHERE r.id = ?
		ON CONFLICT (post_id) DO UPDATE SET post_id = excluded.post_id RETURNING id`, p.ID, root).Scan(ctx, &id)
	if err != nil {
		return fmt.Errorf("index post %s: %w", p.ID, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO post_fts (rowid, terms) VALUES (?, ?)`, id, terms); err != nil {
		return fmt.Errorf("index post %s: %w", p.ID, err)
	}
	return nil
}

// searchVisibilityColumns are the thread root's columns post_search keeps a copy of,
// named as in posts so that visibleAs applies the feed's rule to them.
const searchVisibilityColumns = "account_id, audience, group_id, state"

// PostHit is a post or comment a search found, with its score (lower is better).
type PostHit struct {
	PostID string  `bun:"post_id"`
	Score  float64 `bun:"score"`
}

// SearchPosts returns the posts and comments matching q that v may see, best first. A
// comment is visible exactly when its thread's root is, so the feed's rule is applied to
// the root's visibility columns, which each post_search row carries (visibleAs), the
// way VisiblePost applies it to the root's row in posts; for a post the root is the post
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
		Where("post_fts MATCH ?", q.FTS5())
	inner = visibleAs(inner, v, "ps").OrderExpr("post_fts.rowid DESC").Limit(SearchCandidates)
	err := s.db.NewSelect().TableExpr("(?) AS c", inner).ColumnExpr("c.post_id, c.score").
		OrderExpr("c.score ASC, c.post_id DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx, &hits)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	return hits, nil
}

// fewMatches is the number of matching posts up to which PostgreSQL takes them all from
// the GIN index and sorts them, instead of walking posts newest first. Counting to it
// reads up to this many rows for every common word, so it stays small: words the
// planner's statistics do not hold are estimated at a fixed share (0.34% of a million
// posts), for which it already prefers the index; the count guards against the walk
// for the rarest words, where that walk would read the whole table.
const fewMatches = 1000

// searchPostsPG is SearchPosts on PostgreSQL. Which plan is fast depends on how many
// posts hold the words: for a common word, walking post_search newest first finds
// SearchCandidates matches after a few thousand rows; for a rare one that walk reads
// the whole table, and the GIN index should give its few matches instead. The planner's
// estimate for a word outside its statistics is a fixed guess that may be wrong by
// orders of magnitude (a word in 0.01% of a million posts took 2 s), so the statement
// counts the matches first, up to fewMatches, through the GIN index, and runs one of
// two branches by that count: few matches are taken whole from the index in a
// materialized CTE, which no ordering can turn into a walk; more are left to the
// planner, whose statistics hold the words that common. The count is an InitPlan, so
// the branch not taken is never executed: one statement, no transaction, no settings.
func (s *Store) searchPostsPG(ctx context.Context, v Viewer, q fulltext.Query, limit, offset int) ([]PostHit, error) {
	var hits []PostHit
	tsq := q.TSQuery()
	score := "ps.post_id, -ts_rank(ps.tsv, to_tsquery('simple', ?), 1) AS score"
	few := s.db.NewSelect().TableExpr("post_search").ColumnExpr("post_id, tsv, "+searchVisibilityColumns).
		Where("(SELECT n FROM counted) <= ?", fewMatches).Where("tsv @@ to_tsquery('simple', ?)", tsq)
	fromFew := visibleAs(s.db.NewSelect().TableExpr("few AS ps").ColumnExpr(score, tsq), v, "ps").
		OrderExpr("ps.post_id DESC").Limit(SearchCandidates)
	fromAll := visibleAs(s.db.NewSelect().TableExpr("post_search AS ps").ColumnExpr(score, tsq).
		Where("(SELECT n FROM counted) > ?", fewMatches).Where("ps.tsv @@ to_tsquery('simple', ?)", tsq), v, "ps").
		OrderExpr("ps.post_id DESC").Limit(SearchCandidates)
	err := s.db.NewRaw(`WITH counted AS MATERIALIZED (
			SELECT COUNT(*) AS n FROM (SELECT 1 FROM post_search WHERE tsv @@ to_tsquery('simple', ?) LIMIT ?) AS m
		), few AS MATERIALIZED (?)
		SELECT c.post_id, c.score FROM ((?) UNION ALL (?)) AS c
		ORDER BY c.score ASC, c.post_id DESC LIMIT ? OFFSET ?`,
		tsq, fewMatches+1, few, fromFew, fromAll, limit, offset).Scan(ctx, &hits)
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
// whole query as a skill; best first. Remote people their node's directory no longer
// lists (accounts.listed, as the company directory reads it) are left out. Guests find
// only themselves and the active members of their groups.
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
		Where("account.deactivated_at IS NULL").Where("account.listed")
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
// counted up to the TagSearchBound's Cap.
type TagHit struct {
	Tag   string `bun:"tag"`
	Posts int    `bun:"n"`
}

// SearchTags returns hashtags starting with prefix (lower-case, without #) that the
// viewer may see on at least one post, with their visible post counts; the exact tag
// first, then by count. Only the first bound.Tags tags in name order are counted, each
// up to bound.Cap posts.
func (s *Store) SearchTags(ctx context.Context, v Viewer, prefix string, bound TagSearchBound) ([]TagHit, error) {
	var hits []TagHit
	if prefix == "" {
		return hits, nil
	}
	n := utf8.RuneCountInString(prefix)
	// Each tag's posts are counted by one correlated subquery, planned once for all tags,
	// on the search rows, which carry the visibility columns of the post's thread root:
	// a hashtag shows exactly when a post carrying it is visible (VisiblePost's rule).
	capped := visibleAs(s.db.NewSelect().TableExpr("post_tags AS pt").ColumnExpr("1 AS one").
		Join("JOIN post_search AS ps ON ps.post_id = pt.post_id").Where("pt.tag = t.tag"), v, "ps").Limit(int64(bound.Cap))
	// A walk from tag to next tag along post_tags_tag reads one index entry per tag,
	// however many posts carry it. counted is materialized: inlined, SQLite evaluates
	// the count twice, for the filter and for the column.
	err := s.db.NewRaw(`WITH RECURSIVE t(tag, i) AS (
			SELECT MIN(tag), 1 FROM post_tags WHERE tag >= ?
			UNION ALL
			SELECT (SELECT MIN(pt.tag) FROM post_tags AS pt WHERE pt.tag > t.tag), t.i + 1
			FROM t WHERE t.i < ? AND SUBSTR(t.tag, 1, ?) = ?
		),
		counted AS MATERIALIZED (
			SELECT t.tag, (SELECT COUNT(*) FROM (?) AS c) AS n FROM t WHERE SUBSTR(t.tag, 1, ?) = ?
		)
		SELECT counted.tag, counted.n FROM counted
		WHERE counted.n > 0
		ORDER BY CASE WHEN counted.tag = ? THEN 0 ELSE 1 END, counted.n DESC, counted.tag ASC`,
		prefix, bound.Tags, n, prefix, capped, n, prefix, prefix).Scan(ctx, &hits)
	if err != nil {
		return nil, fmt.Errorf("search tags: %w", err)
	}
	return hits, nil
}
