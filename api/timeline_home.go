package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// Page sizes of the home timeline, as Mastodon's.
const (
	defaultTimelineLimit = 20
	maxTimelineLimit     = 40
)

// timelineHome returns the viewer's own posts and those of people and hashtags they
// follow, newest first. Pages continue with max_id; a Link header points at the next
// page while there is one.
func (h *handler) timelineHome(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	limit, err := limitParam(r, defaultTimelineLimit, maxTimelineLimit)
	if err != nil {
		return err
	}
	page, err := h.social.Posts.Feed(r.Context(), viewer, social.FeedQuery{
		Cursor: r.URL.Query().Get("max_id"), Limit: limit, Following: true,
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
		w.Header().Set("Link", "<"+h.baseURL+"/api/v1/timelines/home?"+q.Encode()+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
