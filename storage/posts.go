package storage

import (
	"context"
	"fmt"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// Viewer is who is looking, as far as visibility queries need to know.
type Viewer struct {
	AccountID string
	// Guest viewers see only the posts of the groups they are active members of (their
	// own included): nothing with the site, company or followers audience.
	Guest bool
}

// visible restricts q (over posts aliased "post") to what v may see. It is the one place
// that turns the audience rules into SQL, shared by the feed, single-post reads and
// search (see visibleAs).
//
// Group posts (audience group, comments included) match only the group branch: the
// active members of their group see them, and a pending one only its author and the
// group's moderators. The author and followee branches exclude them, so leaving a group
// or following one of its members shows nothing of it. Guests match the group branch
// only: the posts of their groups are all they see, even their own older posts of
// another audience.
func visible(q *bun.SelectQuery, v Viewer) *bun.SelectQuery { return visibleAs(q, v, "post") }

// visibleAs is visible over the rows aliased alias, which hold a post's visibility
// columns under the names of posts: account_id, audience, group_id and state. Search
// applies it to post_search, whose rows carry copies of their thread root's columns.
func visibleAs(q *bun.SelectQuery, v Viewer, alias string) *bun.SelectQuery {
	col := func(name string) string { return alias + "." + name }
	followees := "SELECT f.followee_id FROM follows AS f WHERE f.follower_id = ? AND f.accepted"
	activeIn := "SELECT m.group_id FROM group_members AS m WHERE m.account_id = ? AND m.state = ?"
	moderates := activeIn + " AND m.role IN (?)"
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if !v.Guest {
			q = q.Where(col("account_id")+" = ? AND "+col("audience")+" <> ?", v.AccountID, model.AudienceGroup).
				WhereOr(col("audience")+" IN (?)", bun.In([]model.Audience{model.AudienceSite, model.AudienceCompany})).
				WhereOr(col("audience")+" = ? AND "+col("account_id")+" IN ("+followees+")", model.AudienceFollowers, v.AccountID)
		}
		return q.WhereOr(col("audience")+" = ? AND "+col("group_id")+" IN ("+activeIn+") AND ("+col("state")+" = ? OR "+
			col("account_id")+" = ? OR "+col("group_id")+" IN ("+moderates+"))",
			model.AudienceGroup, v.AccountID, model.MemberActive, model.PostPublished, v.AccountID,
			v.AccountID, model.MemberActive, bun.In([]model.GroupRole{model.GroupOwner, model.GroupModerator}))
	})
}

// CreatePost inserts a post with its mentions and tags. Call it inside InTx.
func (s *Store) CreatePost(ctx context.Context, p *model.Post, mentions []string, tags []string) error {
	if _, err := s.db.NewInsert().Model(p).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("create post: %w", ErrConflict)
		}
		return fmt.Errorf("create post: %w", err)
	}
	if err := s.indexPost(ctx, p); err != nil {
		return err
	}
	// A new post has no mentions or tags to clear: two statements fewer per post.
	return s.insertMentionsAndTags(ctx, p.ID, mentions, tags)
}

func (s *Store) replaceMentionsAndTags(ctx context.Context, postID string, mentions, tags []string) error {
	if _, err := s.db.NewDelete().Model((*model.Mention)(nil)).Where("post_id = ?", postID).Exec(ctx); err != nil {
		return fmt.Errorf("clear mentions: %w", err)
	}
	if _, err := s.db.NewDelete().Model((*model.PostTag)(nil)).Where("post_id = ?", postID).Exec(ctx); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	return s.insertMentionsAndTags(ctx, postID, mentions, tags)
}

func (s *Store) insertMentionsAndTags(ctx context.Context, postID string, mentions, tags []string) error {
	if len(mentions) > 0 {
		rows := make([]model.Mention, len(mentions))
		for i, m := range mentions {
			rows[i] = model.Mention{PostID: postID, AccountID: m}
		}
		if _, err := s.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert mentions: %w", err)
		}
	}
	if len(tags) > 0 {
		rows := make([]model.PostTag, len(tags))
		for i, t := range tags {
			rows[i] = model.PostTag{PostID: postID, Tag: t}
		}
		if _, err := s.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert tags: %w", err)
		}
	}
	return nil
}

// Post returns a post regardless of who may see it (for rule checks).
func (s *Store) Post(ctx context.Context, id string) (*model.Post, error) {
	p := new(model.Post)
	if err := s.db.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "post "+id)
	}
	return p, nil
}

// VisiblePost returns the post if v may see it; comments are visible with their thread.
func (s *Store) VisiblePost(ctx context.Context, v Viewer, id string) (*model.Post, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return nil, err
	}
	top := p.ID
	if p.RootID != nil {
		top = *p.RootID
	}
	n, err := visible(s.db.NewSelect().Model((*model.Post)(nil)).Where("post.id = ?", top), v).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("post visibility: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("post %s: %w", id, ErrNotFound)
	}
	return p, nil
}

// UpdatePostContent stores a new version of a post and keeps the old one in post_edits.
// Call it inside InTx.
func (s *Store) UpdatePostContent(ctx context.Context, p *model.Post, old *model.PostEdit, mentions, tags []string) error {
	if _, err := s.db.NewInsert().Model(old).Exec(ctx); err != nil {
		return fmt.Errorf("keep edit: %w", err)
	}
	if _, err := s.db.NewUpdate().Model(p).Column("source", "html", "updated_at", "edited_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("update post: %w", err)
	}
	if err := s.indexPost(ctx, p); err != nil {
		return err
	}
	return s.replaceMentionsAndTags(ctx, p.ID, mentions, tags)
}

// PostEdits returns the earlier versions of a post, newest first.
func (s *Store) PostEdits(ctx context.Context, postID string) ([]*model.PostEdit, error) {
	var list []*model.PostEdit
	err := s.db.NewSelect().Model(&list).Where("post_id = ?", postID).OrderExpr("id DESC").Limit(100).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("post edits: %w", err)
	}
	return list, nil
}

// DeletePost removes a post with its comments, reactions, mentions, tags and history.
func (s *Store) DeletePost(ctx context.Context, id string) error {
	if _, err := s.db.NewDelete().Model((*model.Post)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	return nil
}

// FeedFilter selects a page of top-level posts.
type FeedFilter struct {
	Viewer Viewer
	// Before is the id to continue below (keyset cursor); empty for the first page.
	Before string
	Limit  int
	// Following keeps only the viewer's own posts, those of accounts they follow and
	// those carrying a hashtag they follow, without group posts.
	Following bool
	AuthorID  string
	Tag       string
	// GroupID keeps only the posts of one group.
	GroupID string
}

// Feed returns top-level posts the viewer may see, newest first. The home timeline's
// posts come with their authors (Post.Author, without secrets): a round trip less for
// the page most often read.
func (s *Store) Feed(ctx context.Context, f FeedFilter) ([]*model.Post, error) {
	var list []*model.Post
	var q *bun.SelectQuery
	if f.Following && f.GroupID == "" {
		q = s.db.NewSelect().Model(&list).Where("post.id IN (?)", s.homeIDs(f)).OrderExpr("post.id DESC").
			Relation("Author", func(q *bun.SelectQuery) *bun.SelectQuery { return q.ExcludeColumn(secretColumns...) })
	} else {
		q = s.db.NewSelect().Model(&list).Where("post.in_reply_to_id IS NULL")
		q = visible(q, f.Viewer)
		if f.Following {
			q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("post.account_id = ?", f.Viewer.AccountID).
					WhereOr("EXISTS (SELECT 1 FROM follows AS f2 WHERE f2.follower_id = ? AND f2.followee_id = post.account_id AND f2.accepted)", f.Viewer.AccountID).
					WhereOr(tagFollowed(s.Postgres()), f.Viewer.AccountID, f.Viewer.AccountID)
			})
		}
		q = s.feedPage(q, f)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	return list, nil
}

// homeIDs selects the ids of a page of the Following feed without a group, the home
// timeline: the viewer's own posts, every post of the accounts they follow outside
// groups (each is visible to them: site and company posts to every colleague,
// followers-only posts to followers), and site or company posts carrying a hashtag they
// follow. Guests, who see group posts only, get none. This is visible() narrowed to
// non-group posts, in terms of the author and the audience only.
//
// Followed hashtags belong here, not in the full feed, which already holds every post
// the viewer may see: a post of someone the viewer does not follow that carries a tag
// they follow reaches them as if its author were followed. That is how a post finds
// interested colleagues.
//
// Feed reads the rows of these ids afterwards. The scan walks posts_top_level (id,
// account_id, audience) newest first and stops after a page, reading nothing but the
// index: PostgreSQL runs an index-only scan where reading the row of every post passed
// over, about 1,000 for a viewer who follows 40 of 2,000 colleagues, took 4–20 ms under
// load from outside its buffer cache. The followees are an uncorrelated IN list, read
// once: PostgreSQL hashes it; on SQLite the unary + keeps the list from driving the
// scan (else SQLite gathers every post of every followee through posts_account and
// sorts them, ~15 ms at 100,000 posts), so each index entry is checked against a bloom
// filter, half the time of a follows lookup per entry (0.6 against 1.2 ms for 20–60
// followees at 1,000,000 posts).
func (s *Store) homeIDs(f FeedFilter) *bun.SelectQuery {
	q := s.db.NewSelect().TableExpr("posts AS post").Column("post.id").
		Where("post.in_reply_to_id IS NULL").Where("post.audience <> ?", model.AudienceGroup)
	if f.Viewer.Guest {
		return s.feedPage(q.Where("1 = 0"), f)
	}
	followed := "post.account_id IN (SELECT f.followee_id FROM follows AS f WHERE f.follower_id = ? AND f.accepted)"
	if !s.Postgres() {
		followed = "+" + followed
	}
	q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("post.account_id = ?", f.Viewer.AccountID).
			WhereOr(followed, f.Viewer.AccountID).
			WhereOr("post.audience IN (?) AND "+tagFollowed(s.Postgres()),
				bun.In([]model.Audience{model.AudienceSite, model.AudienceCompany}), f.Viewer.AccountID, f.Viewer.AccountID)
	})
	return s.feedPage(q, f)
}

// feedPage adds the cursor, the filters other than visibility and Following, the order
// and the limit of f to q over posts AS post.
func (s *Store) feedPage(q *bun.SelectQuery, f FeedFilter) *bun.SelectQuery {
	if f.Before != "" {
		q = q.Where("post.id < ?", f.Before)
	}
	if f.GroupID != "" {
		q = q.Where("post.group_id = ?", f.GroupID)
	}
	if f.AuthorID != "" {
		q = q.Where("post.account_id = ?", f.AuthorID)
	}
	if f.Tag != "" {
		q = s.withTag(q, f.Tag) // looked up by the tag's post ids on both databases
	}
	return q.OrderExpr("post.id DESC").Limit(int64(f.Limit))
}

// Comments returns the comments of a thread, oldest first.
func (s *Store) Comments(ctx context.Context, rootID string, limit int) ([]*model.Post, error) {
	var list []*model.Post
	err := s.db.NewSelect().Model(&list).Where("root_id = ?", rootID).OrderExpr("id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("comments of %s: %w", rootID, err)
	}
	return list, nil
}

// PostCounts are the reaction tallies and comment counts of a page of posts.
type PostCounts struct {
	Tallies []ReactionTally
	// Comments is the number of comments per thread root; roots without are missing.
	Comments map[string]int
}

// ReactionTally is the count of one reaction kind on one post and whether the viewer gave it.
type ReactionTally struct {
	PostID string `bun:"post_id"`
	Kind   string `bun:"kind"`
	N      int    `bun:"n"`
	Mine   int    `bun:"mine"`
}

// CountPosts reads the reaction tallies (with the viewer's own reactions) and comment
// counts of posts in one query, a round trip less for every page of posts: the
// reactions by their primary key (post_id, account_id, kind), the comments by
// posts_root (root_id, id). Comment rows have the empty kind.
func (s *Store) CountPosts(ctx context.Context, postIDs []string, viewerID string) (PostCounts, error) {
	out := PostCounts{Tallies: []ReactionTally{}, Comments: make(map[string]int, len(postIDs))}
	if len(postIDs) == 0 {
		return out, nil
	}
	var rows []ReactionTally
	err := s.db.NewRaw("SELECT post_id, kind, COUNT(*) AS n, SUM(CASE WHEN account_id = ? THEN 1 ELSE 0 END) AS mine "+
		"FROM reactions WHERE post_id IN (?) GROUP BY post_id, kind "+
		"UNION ALL SELECT root_id, '', COUNT(*), 0 FROM posts WHERE root_id IN (?) GROUP BY root_id",
		viewerID, bun.In(postIDs), bun.In(postIDs)).Scan(ctx, &rows)
	if err != nil {
		return out, fmt.Errorf("post counts: %w", err)
	}
	for _, r := range rows {
		if r.Kind == "" {
			out.Comments[r.PostID] = r.N
		} else {
			out.Tallies = append(out.Tallies, r)
		}
	}
	return out, nil
}

// AddReaction stores a reaction; adding one that exists changes nothing.
func (s *Store) AddReaction(ctx context.Context, r *model.Reaction) error {
	_, err := s.db.NewInsert().Model(r).On("CONFLICT (post_id, account_id, kind) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("add reaction: %w", err)
	}
	return nil
}

// RemoveReaction deletes a reaction if present.
func (s *Store) RemoveReaction(ctx context.Context, postID, accountID, kind string) error {
	_, err := s.db.NewDelete().Model((*model.Reaction)(nil)).
		Where("post_id = ? AND account_id = ? AND kind = ?", postID, accountID, kind).Exec(ctx)
	if err != nil {
		return fmt.Errorf("remove reaction: %w", err)
	}
	return nil
}
