package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// SearchResults is Mastodon's v2 Search entity, plus the groups Atrium has.
type SearchResults struct {
	Accounts []Account       `json:"accounts"`
	Statuses []SearchStatus  `json:"statuses"`
	Hashtags []SearchHashtag `json:"hashtags"`
	Groups   []SearchGroup   `json:"groups"`
}

// SearchStatus is a Status found by a search, with the matching part of its text.
type SearchStatus struct {
	Status
	// Snippet is HTML: the post's plain text, escaped, with the matched words in <mark>.
	Snippet string `json:"snippet"`
}

// SearchHashtag is Mastodon's Tag entity as search returns it, with the number of posts
// carrying it that the caller may see (counted up to a cap; PostsCountAtLeast marks
// more).
type SearchHashtag struct {
	Name              string     `json:"name"`
	URL               string     `json:"url"`
	History           []struct{} `json:"history"`
	PostsCount        int        `json:"posts_count"`
	PostsCountAtLeast bool       `json:"posts_count_at_least"`
}

// SearchGroup is a group found by a search.
type SearchGroup struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Acct         string `json:"acct"`
	DisplayName  string `json:"display_name"`
	Kind         string `json:"kind"`
	URL          string `json:"url"`
	MembersCount int    `json:"members_count"`
	Member       bool   `json:"member"`
}

// searchTypes maps Mastodon's type parameter to the kinds social searches.
var searchTypes = map[string]social.SearchKind{
	"": social.SearchAll, "accounts": social.SearchPeople, "statuses": social.SearchPosts,
	"hashtags": social.SearchTags, "groups": social.SearchGroups,
}

// search finds statuses, accounts, hashtags and groups the caller may see:
// GET /api/v2/search?q=&type=&limit=&offset=. limit and offset apply to each type.
func (h *handler) search(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	qs := r.URL.Query()
	kind, ok := searchTypes[qs.Get("type")]
	if !ok {
		return invalid("type", "error.search.type")
	}
	limit, err := limitParam(r, social.DefaultSearchLimit, social.MaxSearchLimit)
	if err != nil {
		return err
	}
	offset := 0
	if s := qs.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil {
			return invalid("offset", "error.search.offset")
		}
	}
	res, err := h.social.Search(r.Context(), viewer, social.SearchQuery{Text: qs.Get("q"), Kind: kind, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := SearchResults{Accounts: []Account{}, Statuses: []SearchStatus{}, Hashtags: []SearchHashtag{}, Groups: []SearchGroup{}}
	p := h.presenter(r.Context())
	authors := make([]*model.Account, 0, len(res.People)+len(res.Posts))
	authors = append(authors, res.People...)
	for _, pr := range res.Posts {
		if a := authorOf(pr.PostView); a != nil {
			authors = append(authors, a)
		}
	}
	if err := p.readCounts(authors); err != nil {
		return err
	}
	for _, a := range res.People {
		acct, err := p.account(a)
		if err != nil {
			return err
		}
		out.Accounts = append(out.Accounts, acct)
	}
	for _, pr := range res.Posts {
		st, err := p.status(pr.PostView, nil)
		if err != nil {
			return err
		}
		out.Statuses = append(out.Statuses, SearchStatus{Status: st, Snippet: pr.Snippet})
	}
	for _, t := range res.Tags {
		out.Hashtags = append(out.Hashtags, SearchHashtag{Name: t.Name, URL: h.baseURL + "/tags/" + url.PathEscape(t.Name),
			History: []struct{}{}, PostsCount: t.Posts, PostsCountAtLeast: t.AtLeast})
	}
	for _, gv := range res.Groups {
		g := gv.Group
		sg := SearchGroup{ID: g.ID, Name: g.Name, Acct: g.Name, DisplayName: g.DisplayName, Kind: string(g.Kind),
			URL: h.baseURL + "/groups/" + url.PathEscape(g.Name), MembersCount: gv.Members,
			Member: gv.Membership != nil && gv.Membership.State == model.MemberActive}
		if !g.Local() {
			sg.Acct = g.Name + "@" + g.Domain
			sg.URL = h.baseURL + "/groups/" + url.PathEscape(sg.Acct)
		}
		out.Groups = append(out.Groups, sg)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
