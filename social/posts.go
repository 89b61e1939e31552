package social

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

// Posts creates, edits, deletes, reads and reacts to posts and comments.
type Posts struct{ *core }

// maxPostRunes bounds a post or comment.
const maxPostRunes = 10_000

// maxComments bounds how many comments one thread page shows.
const maxComments = 500

// PostInput is a new post or comment.
type PostInput struct {
	Source   string
	Audience model.Audience
	// InReplyToID makes the post a comment; comments inherit the post's audience and group.
	InReplyToID string
	// GroupID makes a post in that group (audience group, whatever Audience says); only
	// its active members may post, and not while it is archived.
	GroupID string
	// IdempotencyKey, if set, makes a repeat of the request within idempotencyWindow
	// return the post the first one made instead of making another: a client that got no
	// answer may safely send it again.
	IdempotencyKey string
}

// idempotencyWindow is how long an idempotency key keeps its post, as Mastodon's.
const idempotencyWindow = time.Hour

// maxIdempotencyKey is the longest key accepted, in bytes (printable ASCII).
const maxIdempotencyKey = 255

// validIdempotencyKey reports whether key is printable ASCII of at most maxIdempotencyKey bytes.
func validIdempotencyKey(key string) bool {
	if len(key) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// ReactionCount is one reaction kind on a post.
type ReactionCount struct {
	Kind, Emoji string
	Count       int
	Mine        bool
}

// PostView is a post as a viewer sees it.
type PostView struct {
	Post         *model.Post
	Author       *model.Account
	Reactions    []ReactionCount
	CommentCount int
	// Group is the group of a group post (nil otherwise).
	Group     *model.Group
	CanEdit   bool
	CanDelete bool
	Comments  []*PostView
}

func viewerOf(a *model.Account) storage.Viewer {
	return storage.Viewer{AccountID: a.ID, Guest: a.Role == model.RoleGuest}
}

func checkSource(p problems, src string) string {
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		p.add("source", "error.post.empty")
	case utf8.RuneCountInString(src) > maxPostRunes:
		p.add("source", "error.post.too_long")
	}
	return src
}

// Create publishes a post or, with InReplyToID, a comment on a post the author can see.
// Guests post only into their groups: a top-level post of theirs needs GroupID, and the
// posts they may comment on are group posts anyway.
func (ps *Posts) Create(ctx context.Context, author *model.Account, in PostInput) (*model.Post, error) {
	if author.IsGuest() && in.InReplyToID == "" && in.GroupID == "" {
		return nil, ErrForbidden
	}
	p := problems{}
	src := checkSource(p, in.Source)
	var parent *model.Post
	if in.InReplyToID != "" {
		var err error
		parent, err = ps.Store.VisiblePost(ctx, viewerOf(author), in.InReplyToID)
		if errors.Is(err, ErrNotFound) {
			p.add("in_reply_to_id", "error.post.parent_missing")
		} else if err != nil {
			return nil, err
		}
	} else if in.GroupID != "" {
		in.Audience = model.AudienceGroup
	} else if !in.Audience.Valid() {
		p.add("audience", "error.post.audience")
	}
	if !validIdempotencyKey(in.IdempotencyKey) {
		p.add("idempotency_key", "error.post.idempotency_key")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	now := ps.now()
	if in.IdempotencyKey != "" {
		// A repeat is answered before the rate limit: it makes nothing.
		if made, err := ps.repeated(ctx, author, in.IdempotencyKey, now); made != nil || err != nil {
			return made, err
		}
	}
	if err := ps.allowPost(ctx, author); err != nil {
		return nil, err
	}
	post := &model.Post{ID: ps.newID(), AccountID: author.ID, Audience: in.Audience, State: model.PostPublished,
		Source: src, Local: true, CreatedAt: now, UpdatedAt: now}
	post.URI = ps.URIs.Post(post.ID)
	if parent != nil {
		root := parent.ID
		if parent.RootID != nil {
			root = *parent.RootID // one level of threading: replies to comments join the thread
		}
		post.InReplyToID, post.RootID, post.Audience, post.GroupID = &parent.ID, &root, parent.Audience, parent.GroupID
		if parent.GroupID != nil {
			if _, _, err := ps.groupForPost(ctx, author, *parent.GroupID); err != nil {
				return nil, err
			}
		}
	} else if in.GroupID != "" {
		grp, m, err := ps.groupForPost(ctx, author, in.GroupID)
		if err != nil {
			return nil, err
		}
		post.GroupID = &grp.ID
		if grp.PreModeration && !m.Role.Moderates() {
			post.State = model.PostPending
		}
	}
	err := ps.Store.InTx(ctx, func(tx *storage.Store) error {
		html, mentions, tags, err := ps.renderPost(ctx, tx, src)
		if err != nil {
			return err
		}
		post.HTML = html
		if err := tx.CreatePost(ctx, post, mentions, tags); err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			if err := tx.KeepIdempotencyKey(ctx, author.ID, in.IdempotencyKey, post.ID, now, now.Add(-idempotencyWindow)); err != nil {
				return err
			}
		}
		if held, err := heldHere(ctx, tx, post); err != nil || held {
			return err // it leaves the node, if ever, once a moderator approves it
		}
		// The outbox decides who receives it (nobody for the site audience).
		return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityCreate, Actor: author, Post: post, Parent: parent})
	})
	if errors.Is(err, storage.ErrConflict) && in.IdempotencyKey != "" {
		// A concurrent request with the same key made its post first.
		if made, rerr := ps.repeated(ctx, author, in.IdempotencyKey, now); made != nil || rerr != nil {
			return made, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	ps.Log.InfoContext(ctx, "post created", "post", post.ID, "author", author.Username, "audience", post.Audience)
	return post, nil
}

// repeated returns the post author made with the idempotency key within the window
// before now, or nil if none.
func (ps *Posts) repeated(ctx context.Context, author *model.Account, key string, now time.Time) (*model.Post, error) {
	made, err := ps.Store.IdempotentPost(ctx, author.ID, key, now.Add(-idempotencyWindow))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ps.Log.InfoContext(ctx, "post request repeated", "post", made.ID, "author", author.Username)
	return made, nil
}

// groupForPost returns the group a new post or comment goes to, with the author's
// membership: only active members post, and nobody while the group is archived.
func (ps *Posts) groupForPost(ctx context.Context, author *model.Account, groupID string) (*model.Group, *model.Membership, error) {
	grp, m, err := (&Groups{core: ps.core}).visibleGroup(ctx, ps.Store, author, groupID)
	if err != nil {
		return nil, nil, err
	}
	if !active(m) || grp.Archived() {
		return nil, nil, ErrForbidden
	}
	return grp, m, nil
}

// renderPost renders src and resolves its mentions (to account ids) and hashtags, taking
// only those that are linked (not those inside code or links).
func (ps *Posts) renderPost(ctx context.Context, tx *storage.Store, src string) (string, []string, []string, error) {
	safe := ps.md.safe(src)
	names, handles, tags := mentionsAndTags(safe)
	if len(names) > 50 {
		names = names[:50]
	}
	accts, err := tx.LocalAccountsByUsernames(ctx, names)
	if err != nil {
		return "", nil, nil, err
	}
	known := make(map[string]bool, len(accts))
	var ids []string
	for _, n := range names {
		if a, ok := accts[n]; ok {
			known[n] = true
			ids = append(ids, a.ID)
		}
	}
	if len(tags) > 30 {
		tags = tags[:30]
	}
	groups, err := ps.groupLinks(ctx, tx, handles)
	if err != nil {
		return "", nil, nil, err
	}
	return linkify(safe, known, groups), ids, tags, nil
}

// Edit replaces a post's text, keeping the previous version. Only the author may edit.
func (ps *Posts) Edit(ctx context.Context, actor *model.Account, id, source string) (*model.Post, error) {
	p := problems{}
	src := checkSource(p, source)
	var post *model.Post
	err := ps.Store.InTx(ctx, func(tx *storage.Store) error {
		var err error
		post, err = tx.VisiblePost(ctx, viewerOf(actor), id)
		if err != nil {
			return err
		}
		if post.AccountID != actor.ID {
			return ErrForbidden
		}
		if post.GroupID != nil {
			grp, err := tx.Group(ctx, *post.GroupID)
			if err != nil {
				return err
			}
			if grp.Archived() {
				return ErrForbidden
			}
		}
		if err := p.err(); err != nil {
			return err
		}
		if src == post.Source {
			return nil
		}
		now := ps.now()
		old := &model.PostEdit{ID: ps.newID(), PostID: post.ID, Source: post.Source, HTML: post.HTML, EditedAt: post.UpdatedAt}
		html, mentions, tags, err := ps.renderPost(ctx, tx, src)
		if err != nil {
			return err
		}
		post.Source, post.HTML, post.UpdatedAt, post.EditedAt = src, html, now, &now
		if err := tx.UpdatePostContent(ctx, post, old, mentions, tags); err != nil {
			return err
		}
		parent, err := parentOf(ctx, tx, post)
		if err != nil {
			return err
		}
		if held, err := heldHere(ctx, tx, post); err != nil || held {
			return err
		}
		return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdate, Actor: actor, Post: post, Parent: parent})
	})
	if err != nil {
		return nil, err
	}
	ps.Log.InfoContext(ctx, "post edited", "post", id, "by", actor.Username)
	return post, nil
}

// Delete removes a post with its comments. The author and admins may delete.
func (ps *Posts) Delete(ctx context.Context, actor *model.Account, id string) error {
	return ps.Store.InTx(ctx, func(tx *storage.Store) error {
		post, err := tx.VisiblePost(ctx, viewerOf(actor), id)
		if err != nil {
			return err
		}
		if post.AccountID != actor.ID && !actor.IsAdmin() {
			return ErrForbidden
		}
		parent, err := parentOf(ctx, tx, post)
		if err != nil {
			return err
		}
		if err := tx.DeletePost(ctx, id); err != nil {
			return err
		}
		ps.Log.InfoContext(ctx, "post deleted", "post", id, "by", actor.Username)
		held, err := heldHere(ctx, tx, post)
		if err != nil {
			return err
		}
		if !post.Local || held {
			// A pending post of a local group never left the node. Removing another node's post here is
			// local moderation: only its author's node may federate its deletion.
			return nil
		}
		// The Delete is the author's even when an admin deletes: receivers accept a Delete
		// only from the object's author. The comments deleted with a post need no
		// activities of their own: receivers drop a thread with its root.
		author := actor
		if post.AccountID != actor.ID {
			if author, err = tx.Account(ctx, post.AccountID); err != nil {
				return err
			}
		}
		return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityDelete, Actor: author, Post: post, Parent: parent})
	})
}

// parentOf returns the post a comment answers; nil for top-level posts and for a parent
// already gone.
func parentOf(ctx context.Context, tx *storage.Store, p *model.Post) (*model.Post, error) {
	if p.InReplyToID == nil {
		return nil, nil
	}
	parent, err := tx.Post(ctx, *p.InReplyToID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return parent, err
}

// View returns a visible post with its comments, oldest first. For a comment it returns
// the comment alone.
func (ps *Posts) View(ctx context.Context, viewer *model.Account, id string) (*PostView, error) {
	post, err := ps.Store.VisiblePost(ctx, viewerOf(viewer), id)
	if err != nil {
		return nil, err
	}
	posts := []*model.Post{post}
	if post.RootID == nil {
		comments, err := ps.Store.Comments(ctx, post.ID, maxComments)
		if err != nil {
			return nil, err
		}
		posts = append(posts, comments...)
	}
	views, err := ps.views(ctx, viewer, posts)
	if err != nil {
		return nil, err
	}
	views[0].Comments = views[1:]
	return views[0], nil
}

// History returns the earlier versions of a visible post, newest first.
func (ps *Posts) History(ctx context.Context, viewer *model.Account, id string) ([]*model.PostEdit, error) {
	if _, err := ps.Store.VisiblePost(ctx, viewerOf(viewer), id); err != nil {
		return nil, err
	}
	return ps.Store.PostEdits(ctx, id)
}

// React adds (on) or removes a reaction of the viewer on a visible post.
func (ps *Posts) React(ctx context.Context, viewer *model.Account, id, kind string, on bool) error {
	if !model.ValidReaction(kind) {
		return &ValidationError{Fields: map[string]string{"kind": "error.reaction.kind"}}
	}
	if err := ps.allowReact(ctx, viewer); err != nil {
		return err
	}
	return ps.Store.InTx(ctx, func(tx *storage.Store) error {
		post, err := tx.VisiblePost(ctx, viewerOf(viewer), id)
		if err != nil {
			return err
		}
		existing, err := tx.ReactionBy(ctx, id, viewer.ID, kind)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		// Repeating a reaction or its removal changes nothing and tells nobody.
		if !on {
			if existing == nil {
				return nil
			}
			if err := tx.RemoveReaction(ctx, id, viewer.ID, kind); err != nil {
				return err
			}
			return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUndoReact, Actor: viewer, Post: post, Reaction: existing})
		}
		if existing != nil {
			return nil
		}
		// The reaction's URI is the id of its Like or EmojiReact activity.
		r := &model.Reaction{PostID: id, AccountID: viewer.ID, Kind: kind,
			URI: ps.URIs.Reaction(ps.newID()), CreatedAt: ps.now()}
		if err := tx.AddReaction(ctx, r); err != nil {
			return err
		}
		return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityReact, Actor: viewer, Post: post, Reaction: r})
	})
}

// FeedQuery selects a page of the home feed or of a filtered feed.
type FeedQuery struct {
	Cursor    string
	Limit     int
	Following bool
	AuthorID  string
	Tag       string
	// GroupID keeps only the posts of one group.
	GroupID string
}

// FeedPage is one page of posts and the cursor of the next ("" at the end).
type FeedPage struct {
	Posts []*PostView
	Next  string
}

// Feed returns the top-level posts the viewer may see, newest first, a page at a time.
// Paging is by post id (ULIDs sort by time), never by OFFSET.
func (ps *Posts) Feed(ctx context.Context, viewer *model.Account, q FeedQuery) (*FeedPage, error) {
	limit := clampLimit(q.Limit, 20, 50)
	if q.Cursor != "" {
		if _, err := ulid.ParseStrict(q.Cursor); err != nil {
			return nil, &ValidationError{Fields: map[string]string{"cursor": "error.cursor"}}
		}
	}
	posts, err := ps.Store.Feed(ctx, storage.FeedFilter{
		Viewer: viewerOf(viewer), Before: q.Cursor, Limit: limit + 1,
		Following: q.Following, AuthorID: q.AuthorID, Tag: strings.ToLower(strings.TrimPrefix(q.Tag, "#")),
		GroupID: q.GroupID,
	})
	if err != nil {
		return nil, err
	}
	page := &FeedPage{}
	if len(posts) > limit {
		posts = posts[:limit]
		page.Next = posts[limit-1].ID
	}
	if page.Posts, err = ps.views(ctx, viewer, posts); err != nil {
		return nil, err
	}
	return page, nil
}

// views decorates posts with authors, reaction counts, comment counts and rights, in at
// most three queries whatever the number of posts: the authors (unless read with the
// posts), the groups (if any post is in one), and the counts.
func (ps *Posts) views(ctx context.Context, viewer *model.Account, posts []*model.Post) ([]*PostView, error) {
	ids := make([]string, len(posts))
	authorIDs := make([]string, 0, len(posts))
	var groupIDs []string
	for i, p := range posts {
		ids[i] = p.ID
		if p.Author == nil {
			authorIDs = append(authorIDs, p.AccountID)
		}
		if p.GroupID != nil {
			groupIDs = append(groupIDs, *p.GroupID)
		}
	}
	authors, err := ps.Store.ProfilesByIDs(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	groups, err := ps.Store.GroupsByIDs(ctx, groupIDs)
	if err != nil {
		return nil, err
	}
	counts, err := ps.Store.CountPosts(ctx, ids, viewer.ID)
	if err != nil {
		return nil, err
	}
	byPost := map[string]map[string]storage.ReactionTally{}
	for _, t := range counts.Tallies {
		if byPost[t.PostID] == nil {
			byPost[t.PostID] = map[string]storage.ReactionTally{}
		}
		byPost[t.PostID][t.Kind] = t
	}
	out := make([]*PostView, len(posts))
	for i, p := range posts {
		if p.Author == nil {
			p.Author = authors[p.AccountID]
		}
		v := &PostView{Post: p, Author: p.Author, CommentCount: counts.Comments[p.ID],
			CanEdit: p.AccountID == viewer.ID, CanDelete: p.AccountID == viewer.ID || viewer.IsAdmin()}
		if p.GroupID != nil {
			v.Group = groups[*p.GroupID]
		}
		for _, k := range model.ReactionKinds {
			t := byPost[p.ID][k.Kind]
			v.Reactions = append(v.Reactions, ReactionCount{Kind: k.Kind, Emoji: k.Emoji, Count: t.N, Mine: t.Mine > 0})
		}
		out[i] = v
	}
	return out, nil
}
