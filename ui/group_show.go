package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// groupPage is the data of a group's page: header, about, pinned posts and its feed.
type groupPage struct {
	Page
	G      *social.GroupView
	Pinned []*social.PostView
	// PinnedIDs marks the pinned posts, so the feed does not show them twice.
	PinnedIDs map[string]bool
	Posts     []*social.PostView
	NextURL   string
	// Source is the composer's text, kept when a post is refused.
	Source string
	// Reader is set for active members, the only ones who see the group's posts.
	Reader bool
}

// groupPath is the page of a group.
func groupPath(g *model.Group) string {
	if g.Local() {
		return "/groups/" + url.PathEscape(g.Name)
	}
	return "/groups/" + url.PathEscape(g.Name+"@"+g.Domain)
}

// groupOf loads the group named in the path as the viewer sees it. Social answers
// ErrNotFound for a secret group the viewer is not in, so every group page 404s for them.
func (h *handler) groupOf(r *http.Request) (*social.GroupView, error) {
	return h.social.Groups.Get(r.Context(), viewer(r), mux.Vars(r)["name"])
}

// groupShow shows a group: what it is about, the membership buttons, pinned posts and
// the posts the viewer may read, with a composer for members.
func (h *handler) groupShow(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	return h.renderGroup(w, r, http.StatusOK, &groupPage{G: gv})
}

// renderGroup loads the pinned posts and the page of the feed named by the request's
// cursor into p and renders the group page.
func (h *handler) renderGroup(w http.ResponseWriter, r *http.Request, status int, p *groupPage) error {
	ctx, v, g := r.Context(), viewer(r), p.G.Group
	p.Title, p.TitleArg, p.Nav = "title.group", g.DisplayName, "groups"
	p.Reader = p.G.Membership != nil && p.G.Membership.State == model.MemberActive
	pinned, err := h.social.Groups.Pinned(ctx, v, g.ID)
	if err != nil {
		return err
	}
	p.Pinned, p.PinnedIDs = pinned, map[string]bool{}
	for _, pv := range pinned {
		p.PinnedIDs[pv.Post.ID] = true
	}
	cursor := r.URL.Query().Get("cursor")
	feed, err := h.social.Posts.Feed(ctx, v, social.FeedQuery{GroupID: g.ID, Cursor: cursor})
	if _, ok := social.AsValidation(err); ok {
		return errBadRequest
	} else if err != nil {
		return err
	}
	for _, pv := range feed.Posts {
		if !p.PinnedIDs[pv.Post.ID] {
			p.Posts = append(p.Posts, pv)
		}
	}
	if feed.Next != "" {
		p.NextURL = groupPath(g) + "?" + url.Values{"cursor": {feed.Next}}.Encode()
	}
	h.render(w, r, status, "group_show", p)
	return nil
}
