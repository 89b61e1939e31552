package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// Page sizes of the followed tags list, as Mastodon's.
const (
	defaultFollowedTagsLimit = 100
	maxFollowedTagsLimit     = 200
)

// TagEntity is Mastodon's Tag entity with its history and whether the token's owner
// follows it. (Tag in entities.go is the short form a Status carries.)
type TagEntity struct {
	Name      string       `json:"name"`
	URL       string       `json:"url"`
	History   []TagHistory `json:"history"`
	Following bool         `json:"following"`
}

// TagHistory is one day of a tag's use: Mastodon sends the numbers as strings and the
// day as the Unix time of its midnight (UTC).
type TagHistory struct {
	Day      string `json:"day"`
	Uses     string `json:"uses"`
	Accounts string `json:"accounts"`
}

// tagURL is the tag's page on this node.
func (h *handler) tagURL(tag string) string { return h.baseURL + "/tags/" + url.PathEscape(tag) }

// tagEntity returns the Tag entity of a tag as the viewer sees it, with seven days of
// history over the posts they may see.
func (h *handler) tagEntity(r *http.Request, viewer *model.Account, name string) (TagEntity, error) {
	ctx := r.Context()
	info, err := h.social.Tags.Info(ctx, viewer, name)
	if err != nil {
		return TagEntity{}, err
	}
	days, err := h.social.Tags.History(ctx, viewer, info.Tag)
	if err != nil {
		return TagEntity{}, err
	}
	out := TagEntity{Name: info.Tag, URL: h.tagURL(info.Tag), Following: info.Following, History: make([]TagHistory, len(days))}
	for i, d := range days {
		out.History[i] = TagHistory{Day: strconv.FormatInt(d.Day.Unix(), 10),
			Uses: strconv.Itoa(d.Posts), Accounts: strconv.Itoa(d.Accounts)}
	}
	return out, nil
}

// tagGet describes a hashtag. Any valid name has an entity, used or not; a name no post
// can carry is refused (422).
func (h *handler) tagGet(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	t, err := h.tagEntity(r, viewer, mux.Vars(r)["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// tagFollow follows a hashtag: its posts join the home timeline. Following twice
// changes nothing; past the node's limit of followed tags it is refused (422).
func (h *handler) tagFollow(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	return h.tagFollowing(w, r, viewer, h.social.Tags.Follow)
}

// tagUnfollow stops following a hashtag; without a follow it changes nothing.
func (h *handler) tagUnfollow(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	return h.tagFollowing(w, r, viewer, h.social.Tags.Unfollow)
}

func (h *handler) tagFollowing(w http.ResponseWriter, r *http.Request, viewer *model.Account,
	change func(ctx context.Context, viewer *model.Account, name string) (string, error)) error {
	tag, err := change(r.Context(), viewer, mux.Vars(r)["name"])
	if err != nil {
		return err
	}
	t, err := h.tagEntity(r, viewer, tag)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// followedTags lists the hashtags the viewer follows, alphabetically. Pages continue
// with the Link header's next URL. The entities carry no history: one per tag would cost
// a query each.
func (h *handler) followedTags(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	limit, err := limitParam(r, defaultFollowedTagsLimit, maxFollowedTagsLimit)
	if err != nil {
		return err
	}
	list, next, err := h.social.Tags.FollowedPage(r.Context(), viewer, r.URL.Query().Get("after"), limit)
	if ve, ok := social.AsValidation(err); ok {
		return invalid("after", ve.Fields["cursor"])
	} else if err != nil {
		return err
	}
	out := make([]TagEntity, len(list))
	for i, f := range list {
		out[i] = TagEntity{Name: f.Tag, URL: h.tagURL(f.Tag), History: []TagHistory{}, Following: true}
	}
	if next != "" {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {next}}
		w.Header().Set("Link", "<"+h.baseURL+"/api/v1/followed_tags?"+q.Encode()+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// timelineTag returns the top-level posts carrying a hashtag that the viewer may see,
// newest first. Pages continue with max_id, as the home timeline's.
func (h *handler) timelineTag(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	limit, err := limitParam(r, defaultTimelineLimit, maxTimelineLimit)
	if err != nil {
		return err
	}
	tag, ok := social.NormalizeTag(mux.Vars(r)["hashtag"])
	if !ok {
		return invalid("hashtag", "error.tag.invalid")
	}
	page, err := h.social.Posts.Feed(r.Context(), viewer, social.FeedQuery{
		Cursor: r.URL.Query().Get("max_id"), Limit: limit, Tag: tag,
	})
	if err != nil {
		return err
	}
	out, err := h.presenter(r.Context()).statuses(page.Posts) // top-level posts only
	if err != nil {
		return err
	}
	if page.Next != "" {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "max_id": {page.Next}}
		w.Header().Set("Link", "<"+h.baseURL+"/api/v1/timelines/tag/"+url.PathEscape(tag)+"?"+q.Encode()+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
