package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"
)

// FollowTag records that an account follows a tag and reports whether it is new;
// following a tag again changes nothing.
func (s *Store) FollowTag(ctx context.Context, accountID, tag string, at time.Time) (bool, error) {
	res, err := s.db.NewInsert().Model(&model.TagFollow{AccountID: accountID, Tag: tag, CreatedAt: at}).
		On("CONFLICT (account_id, tag) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("follow tag: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("follow tag: %w", err)
	}
	return n > 0, nil
}

// UnfollowTag removes a followed tag if present.
func (s *Store) UnfollowTag(ctx context.Context, accountID, tag string) error {
	_, err := s.db.NewDelete().Model((*model.TagFollow)(nil)).Where("account_id = ? AND tag = ?", accountID, tag).Exec(ctx)
	if err != nil {
		return fmt.Errorf("unfollow tag: %w", err)
	}
	return nil
}

// FollowsTag reports whether an account follows a tag.
func (s *Store) FollowsTag(ctx context.Context, accountID, tag string) (bool, error) {
	ok, err := s.db.NewSelect().Model((*model.TagFollow)(nil)).Where("account_id = ? AND tag = ?", accountID, tag).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("follows tag: %w", err)
	}
	return ok, nil
}

// CountFollowedTags counts the tags an account follows.
func (s *Store) CountFollowedTags(ctx context.Context, accountID string) (int, error) {
	n, err := s.db.NewSelect().Model((*model.TagFollow)(nil)).Where("account_id = ?", accountID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count followed tags: %w", err)
	}
	return int(n), nil
}

// FollowedTags returns the tags an account follows, alphabetically from after (exclusive;
// "" from the start), at most limit.
func (s *Store) FollowedTags(ctx context.Context, accountID, after string, limit int) ([]*model.TagFollow, error) {
	var list []*model.TagFollow
	q := s.db.NewSelect().Model(&list).Where("account_id = ?", accountID)
	if after != "" {
		q = q.Where("tag > ?", after)
	}
	err := q.OrderExpr("tag ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("followed tags: %w", err)
	}
	return list, nil
}

// idFloor is the smallest post id (ULID) made at t or later: post ids sort by time, so a
// range on the primary key selects recent posts without an index on created_at. Posts
// from other nodes get their id when they arrive here, so "recent" means received
// recently.
func idFloor(t time.Time) string {
	var u ulid.ULID
	if err := u.SetTime(ulid.Timestamp(t)); err != nil {
		return ""
	}
	return u.String()
}

// TagStats counts the top-level posts carrying a tag that a viewer may see: all of
// them, those since a time, and how many people wrote the latter.
type TagStats struct {
	Posts          int `bun:"posts"`
	RecentPosts    int `bun:"recent_posts"`
	RecentAccounts int `bun:"recent_accounts"`
}

// TagStats counts what the tag page shows: the visible top-level posts with the tag. The
// walk starts from the tag's entries in post_tags_tag and looks its posts up by id (see
// withTag), so it costs the tag's posts, not the node's.
func (s *Store) TagStats(ctx context.Context, v Viewer, tag string, since time.Time) (TagStats, error) {
	var out TagStats
	floor := idFloor(since)
	q := s.db.NewSelect().Model((*model.Post)(nil)).
		ColumnExpr("COUNT(*) AS posts").
		ColumnExpr("COALESCE(SUM(CASE WHEN post.id >= ? THEN 1 ELSE 0 END), 0) AS recent_posts", floor).
		ColumnExpr("COUNT(DISTINCT CASE WHEN post.id >= ? THEN post.account_id END) AS recent_accounts", floor).
		Where("post.in_reply_to_id IS NULL")
	q = s.withTag(q, tag)
	if err := visible(q, v).Scan(ctx, &out); err != nil {
		return TagStats{}, fmt.Errorf("tag stats: %w", err)
	}
	return out, nil
}

// TagUse is one visible top-level post carrying a tag: when and by whom.
type TagUse struct {
	AccountID string    `bun:"account_id"`
	CreatedAt time.Time `bun:"created_at"`
}

// TagUses returns when and by whom a tag was used in the visible top-level posts
// received since a time, newest first, at most limit (for a tag's daily history).
func (s *Store) TagUses(ctx context.Context, v Viewer, tag string, since time.Time, limit int) ([]TagUse, error) {
	var out []TagUse
	q := s.db.NewSelect().Model((*model.Post)(nil)).Column("post.account_id", "post.created_at").
		Where("post.in_reply_to_id IS NULL").Where("post.id >= ?", idFloor(since))
	q = s.withTag(q, tag)
	if err := visible(q, v).OrderExpr("post.id DESC").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("tag uses: %w", err)
	}
	return out, nil
}

// TagCount is a tag with how often it was used and by how many people.
type TagCount struct {
	Tag      string `bun:"tag"`
	Posts    int    `bun:"posts"`
	Accounts int    `bun:"accounts"`
}

// TrendingTags returns the tags of the visible top-level posts received since a time,
// the most widely used first (by people, then posts, then name). The visible posts of
// the span are found first, through the primary key's range, and their tags looked up
// by post: the cost follows the span's posts, not the node's tags.
func (s *Store) TrendingTags(ctx context.Context, v Viewer, since time.Time, limit int) ([]TagCount, error) {
	var out []TagCount
	recent := visible(s.db.NewSelect().Model((*model.Post)(nil)).Column("post.id").
		Where("post.in_reply_to_id IS NULL").Where("post.id >= ?", idFloor(since)), v)
	q := s.db.NewSelect().TableExpr("post_tags AS pt").
		Join("JOIN posts AS p ON p.id = pt.post_id").
		ColumnExpr("pt.tag AS tag, COUNT(*) AS posts, COUNT(DISTINCT p.account_id) AS accounts").
		Where(s.idIn("pt.post_id", "?"), recent)
	err := q.GroupExpr("pt.tag").OrderExpr("accounts DESC, posts DESC, pt.tag ASC").Limit(int64(limit)).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("trending tags: %w", err)
	}
	return out, nil
}

// idIn is the condition that col is one of the ids sub selects. On PostgreSQL it is
// "col = ANY (ARRAY(sub))": sub runs once and col's index is searched for its ids. With
// "col IN (sub)" the planner may instead hash-join a scan of the whole posts table: the
// visibility filter's hashed subplans add a start-up cost to every probe of a nested
// loop, which makes reading all 100,000 posts look cheaper than looking up a tag's 600
// (~100 ms against ~1 ms a tag page; docs/benchmarks.md). SQLite already runs
// "col IN (sub)" that way, driving the lookups from the list.
func (s *Store) idIn(col, sub string) string {
	if s.Postgres() {
		return col + " = ANY (ARRAY(" + sub + "))"
	}
	return col + " IN (" + sub + ")"
}

// withTag keeps the posts (aliased "post") that carry a tag.
func (s *Store) withTag(q *bun.SelectQuery, tag string) *bun.SelectQuery {
	return q.Where(s.idIn("post.id", "SELECT pt.post_id FROM post_tags AS pt WHERE pt.tag = ?"), tag)
}

// tagFollowed is the feed's check that the viewer follows one of a post's tags, OR-ed
// into the Following filter, with two arguments: the viewer's id twice. Like the
// followee check it cannot drive the scan: the feed keeps walking posts_top_level newest
// first and stops after a page. Each post it examines costs two primary-key probes,
// post_tags by the post and tag_follows by viewer and tag. The uncorrelated EXISTS in
// front runs once per query (an init plan on PostgreSQL, a cached subquery on SQLite),
// so a viewer who follows no tags, most of them, pays no probe at all.
//
// On PostgreSQL the subquery ends in OFFSET 0, which keeps the planner from turning it
// into a hashed set of every post carrying any followed tag: it expects to examine
// thousands of posts, where the page stops after a few hundred, and building the set
// took ~6 ms against ~2 ms for probing (docs/benchmarks.md).
func tagFollowed(pg bool) string {
	fence := ""
	if pg {
		fence = " OFFSET 0"
	}
	return "(EXISTS (SELECT 1 FROM tag_follows AS tf1 WHERE tf1.account_id = ?) AND " +
		"EXISTS (SELECT 1 FROM post_tags AS pt2 JOIN tag_follows AS tf ON tf.account_id = ? AND tf.tag = pt2.tag WHERE pt2.post_id = post.id" + fence + "))"
}
