package social

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// SearchKind selects what a search looks for.
type SearchKind string

// Search kinds.
const (
	SearchAll    SearchKind = "all"
	SearchPosts  SearchKind = "posts"
	SearchPeople SearchKind = "people"
	SearchGroups SearchKind = "groups"
	SearchTags   SearchKind = "tags"
)

// Valid reports whether k is a known kind.
func (k SearchKind) Valid() bool {
	switch k {
	case SearchAll, SearchPosts, SearchPeople, SearchGroups, SearchTags:
		return true
	}
	return false
}

// includes reports whether a search of kind k looks for kind part.
func (k SearchKind) includes(part SearchKind) bool { return k == SearchAll || k == part }

// Search limits: a page holds at most MaxSearchLimit results of each kind, and paging
// ends where ranking ends.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 40
	MaxSearchOffset    = storage.SearchCandidates - MaxSearchLimit
)

// snippetRunes is the length of a post's snippet.
const snippetRunes = 240

// SearchQuery is what the viewer asked for. Limit and Offset apply to each kind.
type SearchQuery struct {
	Text   string
	Kind   SearchKind
	Limit  int
	Offset int
}

// PostResult is a post or comment found, as the viewer sees it.
type PostResult struct {
	*PostView
	// Snippet is safe HTML: the matching part of the post's text, escaped, with the
	// matched words in <mark>.
	Snippet string
	// Comment is set for comments; View links them like posts.
	Comment bool
}

// TagResult is a hashtag found, with the number of posts carrying it that the viewer
// may see; AtLeast means there are more than Posts.
type TagResult struct {
	Name    string
	Posts   int
	AtLeast bool
}

// SearchResults are the results of each kind searched, best first, with whether a
// next page exists.
type SearchResults struct {
	Query  SearchQuery
	Posts  []*PostResult
	People []*model.Account
	Groups []*GroupView
	Tags   []TagResult
	// More names the kinds with more results after this page.
	More map[SearchKind]bool
}

// Search finds the posts, comments, people, groups and hashtags matching the query that
// the viewer may see: posts and comments by the same rule as the feed (storage's
// visible(), a comment with its thread), groups as the group directory lists them,
// hashtags only with posts the viewer may see, and people among active accounts (for
// guests: themselves and the members of their groups). Remote posts, people and
// groups this node holds are searched like local ones. It is the one entry point of
// the UI and the API.
func (s *Service) Search(ctx context.Context, viewer *model.Account, q SearchQuery) (*SearchResults, error) {
	p := problems{}
	q.Text = strings.TrimSpace(q.Text)
	switch {
	case q.Text == "":
		p.add("q", "error.search.empty")
	case utf8.RuneCountInString(q.Text) > fulltext.MaxQueryRunes:
		p.add("q", "error.search.too_long")
	}
	if q.Kind == "" {
		q.Kind = SearchAll
	}
	if !q.Kind.Valid() {
		p.add("type", "error.search.type")
	}
	if q.Offset < 0 || q.Offset > MaxSearchOffset {
		p.add("offset", "error.search.offset")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	q.Limit = clampLimit(q.Limit, DefaultSearchLimit, MaxSearchLimit)
	res := &SearchResults{Query: q, More: map[SearchKind]bool{}}
	parsed := fulltext.Parse(q.Text)
	v := viewerOf(viewer)
	c := s.Posts.core
	if q.Kind.includes(SearchPosts) {
		if err := s.searchPosts(ctx, viewer, parsed, res); err != nil {
			return nil, err
		}
	}
	if q.Kind.includes(SearchPeople) {
		list, err := c.Store.SearchAccounts(ctx, v, parsed, skillKey(q.Text), q.Limit+1, q.Offset)
		if err != nil {
			return nil, err
		}
		res.People, res.More[SearchPeople] = trimPage(list, q.Limit)
	}
	if q.Kind.includes(SearchGroups) {
		list, err := c.Store.SearchGroups(ctx, v, viewer.Domain, parsed, q.Limit+1, q.Offset)
		if err != nil {
			return nil, err
		}
		list, res.More[SearchGroups] = trimPage(list, q.Limit)
		if res.Groups, err = s.groupViews(ctx, viewer, list); err != nil {
			return nil, err
		}
	}
	if q.Kind.includes(SearchTags) {
		bound := storage.TagsPage()
		if q.Kind == SearchAll {
			bound = storage.TagsOnAllPage()
		}
		hits, err := c.Store.SearchTags(ctx, v, tagKey(q.Text), bound)
		if err != nil {
			return nil, err
		}
		if q.Offset < len(hits) {
			hits = hits[q.Offset:]
		} else {
			hits = nil
		}
		hits, res.More[SearchTags] = trimPage(hits, q.Limit)
		if q.Kind == SearchAll && len(hits) == bound.Tags {
			res.More[SearchTags] = true // the hashtag tab counts more tags
		}
		for _, h := range hits {
			res.Tags = append(res.Tags, TagResult{Name: h.Tag, Posts: h.Posts, AtLeast: h.Posts >= bound.Cap})
		}
	}
	return res, nil
}

// searchPosts fills res.Posts with views of the posts found and their snippets.
func (s *Service) searchPosts(ctx context.Context, viewer *model.Account, parsed fulltext.Query, res *SearchResults) error {
	st := s.Posts.Store
	hits, err := st.SearchPosts(ctx, viewerOf(viewer), parsed, res.Query.Limit+1, res.Query.Offset)
	if err != nil {
		return err
	}
	hits, res.More[SearchPosts] = trimPage(hits, res.Query.Limit)
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.PostID
	}
	byID, err := st.PostsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	posts := make([]*model.Post, 0, len(hits))
	for _, id := range ids {
		if p, ok := byID[id]; ok { // deleted in between
			posts = append(posts, p)
		}
	}
	views, err := s.Posts.views(ctx, viewer, posts)
	if err != nil {
		return err
	}
	for _, pv := range views {
		res.Posts = append(res.Posts, &PostResult{
			PostView: pv,
			Snippet:  fulltext.Snippet(fulltext.PlainText(pv.Post.HTML), parsed, snippetRunes),
			Comment:  pv.Post.InReplyToID != nil,
		})
	}
	return nil
}

// groupViews decorates groups found with the viewer's membership and member counts.
func (s *Service) groupViews(ctx context.Context, viewer *model.Account, list []*model.Group) ([]*GroupView, error) {
	ids := make([]string, len(list))
	for i, g := range list {
		ids[i] = g.ID
	}
	st := s.Groups.Store
	mine, err := st.MembershipsOf(ctx, viewer.ID, ids)
	if err != nil {
		return nil, err
	}
	counts, err := st.CountActiveMembers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*GroupView, len(list))
	for i, g := range list {
		out[i] = s.Groups.view(viewer, g, mine[g.ID], counts[g.ID])
	}
	return out, nil
}

// trimPage cuts a list fetched with one extra item to limit and reports whether there
// was more.
func trimPage[T any](list []T, limit int) ([]T, bool) {
	if len(list) > limit {
		return list[:limit], true
	}
	return list, false
}

// tagKey is the hashtag a query may name: lower-cased, without # and without the
// characters a tag cannot hold ("#Q4 Plan" looks for tags starting with q4plan).
func tagKey(text string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' {
			b.WriteRune(r)
			if n++; n == 64 {
				break
			}
		}
	}
	return b.String()
}

// skillKey is the query as a skill is stored: lower-cased, single spaces.
func skillKey(text string) string {
	k := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	if utf8.RuneCountInString(k) > maxSkillRunes {
		return ""
	}
	return k
}
