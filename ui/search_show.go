package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/atrium-intranet/atrium/social"
)

// searchPreview is how many people, groups and hashtags a search of every kind shows;
// their own tab shows a full page.
const searchPreview = 5

// searchPage is the data of the search page.
type searchPage struct {
	Page
	Query string
	Kind  social.SearchKind
	Kinds []social.SearchKind
	// Searched is set once a query was run (the page also opens empty).
	Searched bool
	Results  *social.SearchResults
	// MoreURL links each kind shortened on the all-kinds page to its own tab.
	MoreURL          map[string]string
	PrevURL, NextURL string
}

// searchShow searches posts, comments, people, groups and hashtags the viewer may see:
// /search?q=…&type=all|posts|people|groups|tags&offset=…. Without q it shows the form.
func (h *handler) searchShow(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &searchPage{
		Page:  Page{Title: "title.search", Nav: "search"},
		Query: q.Get("q"), Kind: social.SearchKind(q.Get("type")),
		Kinds:   []social.SearchKind{social.SearchAll, social.SearchPosts, social.SearchPeople, social.SearchGroups, social.SearchTags},
		MoreURL: map[string]string{},
	}
	if p.Kind == "" {
		p.Kind = social.SearchAll
	}
	if !q.Has("q") {
		h.render(w, r, http.StatusOK, "search", p)
		return nil
	}
	offset := 0
	if o := q.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil {
			n = -1 // reported like any other bad offset
		}
		offset = n
	}
	res, err := h.social.Search(r.Context(), viewer(r), social.SearchQuery{Text: p.Query, Kind: p.Kind, Offset: offset})
	if ve, ok := social.AsValidation(err); ok {
		h.log.InfoContext(r.Context(), "search refused", "error", err)
		p.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "search", p)
		return nil
	} else if err != nil {
		return err
	}
	p.Searched, p.Results = true, res
	link := func(kind social.SearchKind, offset int) string {
		v := url.Values{"q": {p.Query}, "type": {string(kind)}}
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		}
		return "/search?" + v.Encode()
	}
	if p.Kind == social.SearchAll {
		// One section of each kind: a few people, groups and tags, the posts in full.
		if len(res.People) > searchPreview || res.More[social.SearchPeople] {
			res.People, p.MoreURL["people"] = res.People[:min(len(res.People), searchPreview)], link(social.SearchPeople, 0)
		}
		if len(res.Groups) > searchPreview || res.More[social.SearchGroups] {
			res.Groups, p.MoreURL["groups"] = res.Groups[:min(len(res.Groups), searchPreview)], link(social.SearchGroups, 0)
		}
		if len(res.Tags) > searchPreview || res.More[social.SearchTags] {
			res.Tags, p.MoreURL["tags"] = res.Tags[:min(len(res.Tags), searchPreview)], link(social.SearchTags, 0)
		}
		if res.More[social.SearchPosts] {
			p.MoreURL["posts"] = link(social.SearchPosts, 0)
		}
		h.render(w, r, http.StatusOK, "search", p)
		return nil
	}
	limit := res.Query.Limit
	if offset > 0 {
		p.PrevURL = link(p.Kind, max(offset-limit, 0))
	}
	if res.More[p.Kind] && offset+limit <= social.MaxSearchOffset {
		p.NextURL = link(p.Kind, offset+limit)
	}
	h.render(w, r, http.StatusOK, "search", p)
	return nil
}
