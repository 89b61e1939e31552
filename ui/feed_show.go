package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// feedPage is the home feed with its composer.
type feedPage struct {
	Page
	Posts     []*social.PostView
	NextURL   string
	Following bool
	// FollowedTags are the hashtags the viewer follows, named on the Following tab
	// because their posts show there too.
	FollowedTags []string
	// Composer state, kept when a post is refused.
	Source    string
	Audience  model.Audience
	Audiences []model.Audience
}

// audiences are the choices the composer offers, the default first.
var audiences = []model.Audience{model.AudienceCompany, model.AudienceSite, model.AudienceFollowers}

// feedShow shows the home feed: all the viewer may see, or only people they follow.
func (h *handler) feedShow(w http.ResponseWriter, r *http.Request) error {
	page := &feedPage{Page: Page{Title: "title.feed", Nav: "feed"}, Following: r.URL.Query().Get("tab") == "following"}
	if err := h.loadFeed(r, page); err != nil {
		return err
	}
	if page.Following {
		tags, err := h.social.Tags.Followed(r.Context(), viewer(r))
		if err != nil {
			return err
		}
		for _, t := range tags {
			page.FollowedTags = append(page.FollowedTags, t.Tag)
		}
	}
	h.render(w, r, http.StatusOK, "feed", page)
	return nil
}

// loadFeed fills page with the posts of the page named by the request's cursor.
func (h *handler) loadFeed(r *http.Request, page *feedPage) error {
	page.Audiences = audiences
	if page.Audience == "" {
		page.Audience = audiences[0]
	}
	feed, err := h.social.Posts.Feed(r.Context(), viewer(r), social.FeedQuery{
		Cursor: r.URL.Query().Get("cursor"), Following: page.Following,
	})
	if err != nil {
		if _, ok := social.AsValidation(err); ok {
			return errBadRequest
		}
		return err
	}
	page.Posts = feed.Posts
	if feed.Next != "" {
		q := url.Values{"cursor": {feed.Next}}
		if page.Following {
			q.Set("tab", "following")
		}
		page.NextURL = "/?" + q.Encode()
	}
	return nil
}
