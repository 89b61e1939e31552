package api

import (
	"context"
	"errors"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// timeFormat is Mastodon's: ISO 8601 / RFC 3339 in UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// presenter turns models into API entities for one request. It remembers per-account
// counts and mention lookups so a page of statuses by few people costs few queries.
type presenter struct {
	h        *handler
	ctx      context.Context
	stats    map[string]social.AccountStats
	mentions map[string]*model.Account
	// freshCounts counts every account afresh instead of through the handler's
	// countsCache: for the token owner's own account.
	freshCounts bool
}

func (h *handler) presenter(ctx context.Context) *presenter {
	return &presenter{h: h, ctx: ctx, stats: map[string]social.AccountStats{}, mentions: map[string]*model.Account{}}
}

// countsOf returns an account's follower, following and post counts, once per response
// (and, unless freshCounts, through the handler's cache of recent counts).
func (p *presenter) countsOf(acct *model.Account) (social.AccountStats, error) {
	if s, ok := p.stats[acct.ID]; ok {
		return s, nil
	}
	if err := p.readCounts([]*model.Account{acct}); err != nil {
		return social.AccountStats{}, err
	}
	return p.stats[acct.ID], nil
}

// readCounts reads the counts of those of accts this response has not read yet, in one
// query for all of them: a page of statuses reads its authors' counts up front.
func (p *presenter) readCounts(accts []*model.Account) error {
	var ids []string
	for _, a := range accts {
		if _, ok := p.stats[a.ID]; !ok && !slices.Contains(ids, a.ID) {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	read := func(ids []string) (map[string]social.AccountStats, error) {
		return p.h.social.Accounts.StatsOf(p.ctx, ids)
	}
	var got map[string]social.AccountStats
	var err error
	if p.freshCounts || p.h.counts == nil {
		got, err = read(ids)
	} else {
		got, err = p.h.counts.get(ids, read)
	}
	if err != nil {
		return err
	}
	for _, id := range ids {
		p.stats[id] = got[id] // an account gone since counts nothing
	}
	return nil
}

// statuses is the Status entities of a page of top-level posts, with the counts of all
// their authors read at once.
func (p *presenter) statuses(views []*social.PostView) ([]Status, error) {
	authors := make([]*model.Account, 0, len(views))
	for _, v := range views {
		if a := authorOf(v); a != nil {
			authors = append(authors, a)
		}
	}
	if err := p.readCounts(authors); err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(views))
	for _, v := range views {
		st, err := p.status(v, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// authorOf is the author of a post view: its own field, else the post's.
func authorOf(v *social.PostView) *model.Account {
	if v.Author != nil {
		return v.Author
	}
	return v.Post.Author
}

// account is the Account entity of acct.
func (p *presenter) account(acct *model.Account) (Account, error) {
	s, err := p.countsOf(acct)
	if err != nil {
		return Account{}, err
	}
	a := Account{
		ID: acct.ID, Username: acct.Username, Acct: acct.Username, DisplayName: acct.Name(),
		CreatedAt: formatTime(acct.CreatedAt), Note: strings.TrimSpace(p.h.absolute(acct.AboutHTML)), URI: acct.URI,
		Discoverable:   true,
		FollowersCount: s.Followers, FollowingCount: s.Following, StatusesCount: s.Posts,
		Emojis: []Emoji{}, Fields: profileFields(acct, html.EscapeString),
	}
	if acct.Local() {
		a.URL = p.h.baseURL + "/users/" + acct.Username
		if acct.AvatarFile != "" {
			a.Avatar = p.h.baseURL + "/avatars/" + acct.AvatarFile
		}
	} else {
		a.Acct = acct.Username + "@" + acct.Domain
		a.URL = acct.URI
	}
	a.AvatarStatic = a.Avatar
	return a, nil
}

// profileFields shows the directory details of a profile as Mastodon metadata rows;
// format makes each value HTML (for display) or leaves it plain (for the edit source).
func profileFields(acct *model.Account, format func(string) string) []Field {
	fields := []Field{}
	for _, f := range []struct{ name, value string }{
		{"Job title", acct.JobTitle}, {"Department", acct.Department}, {"Site", acct.Site},
	} {
		if f.value != "" {
			fields = append(fields, Field{Name: f.name, Value: format(f.value)})
		}
	}
	return fields
}

// status is the Status entity of a post as the viewer sees it. replyTo is the author of
// the post answered, when known.
func (p *presenter) status(v *social.PostView, replyTo *model.Account) (Status, error) {
	post := v.Post
	author := authorOf(v)
	if author == nil {
		return Status{}, errors.New("post " + post.ID + " has no author")
	}
	acct, err := p.account(author)
	if err != nil {
		return Status{}, err
	}
	mentions, err := p.mentionsIn(post.HTML)
	if err != nil {
		return Status{}, err
	}
	s := Status{
		ID: post.ID, URI: post.URI, URL: p.h.baseURL + "/posts/" + post.ID,
		CreatedAt: formatTime(post.CreatedAt), Account: acct, Content: strings.TrimSpace(p.h.absolute(post.HTML)),
		Visibility: visibilityOf(post.Audience), Audience: string(post.Audience),
		LocalOnly: post.Audience == model.AudienceSite, InReplyToID: post.InReplyToID,
		RepliesCount: v.CommentCount, MediaAttachments: []Attachment{}, Mentions: mentions,
		Tags: p.h.tagsIn(post.HTML), Emojis: []Emoji{},
	}
	if !post.Local {
		s.URL = post.URI
	}
	if post.EditedAt != nil {
		edited := formatTime(*post.EditedAt)
		s.EditedAt = &edited
	}
	if replyTo != nil {
		s.InReplyToAccountID = &replyTo.ID
	}
	for _, r := range v.Reactions {
		if r.Kind == model.ReactionLike {
			s.FavouritesCount, s.Favourited = r.Count, r.Mine
		}
	}
	return s, nil
}

// visibilityOf maps an audience to the nearest Mastodon visibility: everything every
// colleague may read is "public" (Atrium never publishes to the open Internet), and
// followers-only posts are "private". Audience and LocalOnly carry the exact value.
func visibilityOf(a model.Audience) string {
	if a == model.AudienceFollowers {
		return "private"
	}
	return "public"
}

var (
	// relativeLink finds links to this node's own pages in rendered HTML.
	relativeLink = regexp.MustCompile(`href="/([^/"])`)
	// mentionLink and hashtagLink find what social's renderer linked.
	mentionLink = regexp.MustCompile(`<a href="/users/([a-z0-9_]{1,30})" class="mention">`)
	hashtagLink = regexp.MustCompile(`<a href="/tags/([^"/]{1,256})" class="hashtag">`)
)

// absolute makes the node-relative links in rendered HTML absolute: clients show the
// HTML outside the node's pages, where a relative link leads nowhere.
func (h *handler) absolute(s string) string {
	return relativeLink.ReplaceAllString(s, `href="`+h.baseURL+`/$1`)
}

// tagsIn lists the hashtags the renderer linked in a post's HTML.
func (h *handler) tagsIn(postHTML string) []Tag {
	tags := []Tag{}
	seen := map[string]bool{}
	for _, m := range hashtagLink.FindAllStringSubmatch(postHTML, -1) {
		name := html.UnescapeString(m[1])
		if !seen[name] {
			seen[name] = true
			tags = append(tags, Tag{Name: name, URL: h.baseURL + "/tags/" + m[1]})
		}
	}
	return tags
}

// mentionsIn lists the accounts the renderer linked as mentions in a post's HTML. Only
// existing local accounts are linked; one deleted since is left out.
func (p *presenter) mentionsIn(postHTML string) ([]Mention, error) {
	out := []Mention{}
	seen := map[string]bool{}
	for _, m := range mentionLink.FindAllStringSubmatch(postHTML, -1) {
		name := m[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		acct, ok := p.mentions[name]
		if !ok {
			var err error
			acct, err = p.h.social.Accounts.ByUsername(p.ctx, name)
			if errors.Is(err, social.ErrNotFound) {
				acct = nil
			} else if err != nil {
				return nil, err
			}
			p.mentions[name] = acct
		}
		if acct != nil {
			out = append(out, Mention{ID: acct.ID, Username: acct.Username, Acct: acct.Username,
				URL: p.h.baseURL + "/users/" + acct.Username})
		}
	}
	return out, nil
}
