package social

import (
	"context"
	"html"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	xhtml "golang.org/x/net/html"
)

// Tags lets people follow hashtags, so that posts carrying them reach their Following
// feed whoever wrote them, and shows a hashtag's page. A followed tag never widens what
// someone may see: every read goes through the same visibility rules as the feed.
type Tags struct{ *core }

const (
	// maxFollowedTags bounds how many tags one account follows; each one is a lookup the
	// Following feed makes for the posts it examines.
	maxFollowedTags = 500
	// trendingWindow is how far back trending tags and a tag's recent use look.
	trendingWindow = 7 * 24 * time.Hour
	// historyDays is how many days a tag's history covers, today included.
	historyDays = 7
	// maxHistoryUses bounds the posts read to build a tag's history.
	maxHistoryUses = 10_000
)

// NormalizeTag returns a hashtag as posts store it: lower-cased, without '#'. It follows
// the extraction from post text, so a tag that can be followed is one a post can carry:
// letters, digits and '_', at most 64, not only digits ("#123" is an issue number). ok is
// false for anything else.
func NormalizeTag(name string) (tag string, ok bool) {
	t := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "#"))
	if !remoteTagPattern.MatchString(t) || strings.Trim(t, "0123456789") == "" {
		return "", false
	}
	return t, true
}

// tagOf normalizes name or returns the validation error for the field "name".
func tagOf(name string) (string, error) {
	t, ok := NormalizeTag(name)
	if !ok {
		return "", &ValidationError{Fields: map[string]string{"name": "error.tag.invalid"}}
	}
	return t, nil
}

// Follow makes viewer follow a tag and returns its normalized name. Following it again
// changes nothing; past maxFollowedTags a new tag is refused. Guests may follow tags too:
// they still see only what visibility allows them.
func (ts *Tags) Follow(ctx context.Context, viewer *model.Account, name string) (string, error) {
	tag, err := tagOf(name)
	if err != nil {
		return "", err
	}
	err = ts.Store.InTx(ctx, func(tx *storage.Store) error {
		following, err := tx.FollowsTag(ctx, viewer.ID, tag)
		if err != nil || following {
			return err
		}
		n, err := tx.CountFollowedTags(ctx, viewer.ID)
		if err != nil {
			return err
		}
		if n >= maxFollowedTags {
			return &ValidationError{Fields: map[string]string{"name": "error.tag.limit"}}
		}
		added, err := tx.FollowTag(ctx, viewer.ID, tag, ts.now())
		if err == nil && added {
			ts.Log.InfoContext(ctx, "tag followed", "account", viewer.Username, "tag", tag)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return tag, nil
}

// Unfollow stops viewer following a tag and returns its normalized name; without a
// follow it changes nothing.
func (ts *Tags) Unfollow(ctx context.Context, viewer *model.Account, name string) (string, error) {
	tag, err := tagOf(name)
	if err != nil {
		return "", err
	}
	if err := ts.Store.UnfollowTag(ctx, viewer.ID, tag); err != nil {
		return "", err
	}
	ts.Log.InfoContext(ctx, "tag unfollowed", "account", viewer.Username, "tag", tag)
	return tag, nil
}

// Followed returns the tags viewer follows, alphabetically.
func (ts *Tags) Followed(ctx context.Context, viewer *model.Account) ([]*model.TagFollow, error) {
	return ts.Store.FollowedTags(ctx, viewer.ID, "", maxFollowedTags)
}

// FollowedPage returns up to limit of the tags viewer follows, alphabetically after the
// tag named by after ("" for the first page), and the cursor of the next page ("" at
// the end).
func (ts *Tags) FollowedPage(ctx context.Context, viewer *model.Account, after string, limit int) ([]*model.TagFollow, string, error) {
	limit = clampLimit(limit, 100, maxFollowedTags)
	if after != "" {
		var ok bool
		if after, ok = NormalizeTag(after); !ok {
			return nil, "", &ValidationError{Fields: map[string]string{"cursor": "error.cursor"}}
		}
	}
	list, err := ts.Store.FollowedTags(ctx, viewer.ID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].Tag
	}
	return list, next, nil
}

// TagInfo is a hashtag as one viewer sees it.
type TagInfo struct {
	Tag string
	// Following tells whether the viewer follows the tag.
	Following bool
	// Posts counts the visible top-level posts with the tag; RecentPosts and
	// RecentAccounts those of the last seven days and how many people wrote them.
	Posts, RecentPosts, RecentAccounts int
}

// Info returns what the viewer may know of a tag: counts over the posts they may see.
// An unused tag is valid and has zero posts.
func (ts *Tags) Info(ctx context.Context, viewer *model.Account, name string) (*TagInfo, error) {
	tag, err := tagOf(name)
	if err != nil {
		return nil, err
	}
	following, err := ts.Store.FollowsTag(ctx, viewer.ID, tag)
	if err != nil {
		return nil, err
	}
	st, err := ts.Store.TagStats(ctx, viewerOf(viewer), tag, ts.now().Add(-trendingWindow))
	if err != nil {
		return nil, err
	}
	return &TagInfo{Tag: tag, Following: following, Posts: st.Posts, RecentPosts: st.RecentPosts,
		RecentAccounts: st.RecentAccounts}, nil
}

// TagPage is one page of a hashtag's posts with the tag's figures.
type TagPage struct {
	TagInfo
	Feed *FeedPage
}

// Page returns a page of the visible top-level posts carrying a tag, newest first, with
// the tag's figures and whether the viewer follows it.
func (ts *Tags) Page(ctx context.Context, viewer *model.Account, name, cursor string, limit int) (*TagPage, error) {
	info, err := ts.Info(ctx, viewer, name)
	if err != nil {
		return nil, err
	}
	feed, err := (&Posts{core: ts.core}).Feed(ctx, viewer, FeedQuery{Tag: info.Tag, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, err
	}
	return &TagPage{TagInfo: *info, Feed: feed}, nil
}

// TagDay is a tag's use on one day (UTC): posts and distinct authors.
type TagDay struct {
	Day      time.Time
	Posts    int
	Accounts int
}

// History returns a tag's use over the last seven days, today first, counting only
// posts the viewer may see.
func (ts *Tags) History(ctx context.Context, viewer *model.Account, name string) ([]TagDay, error) {
	tag, err := tagOf(name)
	if err != nil {
		return nil, err
	}
	today := ts.now().Truncate(24 * time.Hour)
	uses, err := ts.Store.TagUses(ctx, viewerOf(viewer), tag, today.AddDate(0, 0, -(historyDays-1)), maxHistoryUses)
	if err != nil {
		return nil, err
	}
	days := make([]TagDay, historyDays)
	authors := make([]map[string]bool, historyDays)
	for i := range days {
		days[i].Day = today.AddDate(0, 0, -i)
		authors[i] = map[string]bool{}
	}
	for _, u := range uses {
		// Posts of other nodes are filed under the day they were received, as the range
		// over post ids selects them; their own date may be a little earlier.
		i := int(today.Sub(u.CreatedAt.UTC().Truncate(24*time.Hour)) / (24 * time.Hour))
		if i < 0 || i >= historyDays {
			continue
		}
		days[i].Posts++
		authors[i][u.AccountID] = true
	}
	for i := range days {
		days[i].Accounts = len(authors[i])
	}
	return days, nil
}

// TagCount is a tag with how often it was used and by how many people.
type TagCount struct {
	Tag             string
	Posts, Accounts int
}

// Trending returns the tags most used in the last seven days in posts the viewer may
// see, by number of people, then posts.
func (ts *Tags) Trending(ctx context.Context, viewer *model.Account, limit int) ([]TagCount, error) {
	rows, err := ts.Store.TrendingTags(ctx, viewerOf(viewer), ts.now().Add(-trendingWindow), clampLimit(limit, 10, 50))
	if err != nil {
		return nil, err
	}
	out := make([]TagCount, len(rows))
	for i, r := range rows {
		out[i] = TagCount{Tag: r.Tag, Posts: r.Posts, Accounts: r.Accounts}
	}
	return out, nil
}

// localTagLinks points the hashtag links of a post from another node at this node's tag
// pages, as local posts link them: the page here shows the tag's posts of every node, and
// the API reads a post's tags from these links. A link is a hashtag when its text is '#'
// and one of tags (the post's normalized tags); other links stay exactly as they are.
// safeHTML is sanitized already: only the start tag of a hashtag link changes, to one
// built from the validated tag.
func localTagLinks(safeHTML string, tags []string) string {
	if len(tags) == 0 || !strings.Contains(safeHTML, "#") {
		return safeHTML
	}
	known := make(map[string]bool, len(tags))
	for _, t := range tags {
		known[t] = true
	}
	z := xhtml.NewTokenizer(strings.NewReader(safeHTML))
	var out, inner, text strings.Builder
	var open []byte // the start tag of the link being read
	inLink := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			if inLink {
				out.Write(open)
				out.WriteString(inner.String())
			}
			return out.String()
		}
		// A copy: TagName and Text may rewrite the tokenizer's buffer in place.
		raw := append([]byte(nil), z.Raw()...)
		name, _ := z.TagName()
		switch {
		case !inLink && tt == xhtml.StartTagToken && string(name) == "a":
			inLink = true
			open = raw
			inner.Reset()
			text.Reset()
		case !inLink:
			out.Write(raw)
		case tt == xhtml.EndTagToken && string(name) == "a":
			inLink = false
			label := strings.TrimSpace(text.String())
			if tag, ok := NormalizeTag(label); ok && strings.HasPrefix(label, "#") && known[tag] {
				out.WriteString(`<a href="/tags/` + html.EscapeString(tag) + `" class="hashtag">`)
			} else {
				out.Write(open)
			}
			out.WriteString(inner.String())
			out.Write(raw)
		default:
			inner.Write(raw)
			if tt == xhtml.TextToken {
				text.Write(z.Text())
			}
		}
	}
}
