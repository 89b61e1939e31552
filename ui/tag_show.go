package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// tagPage is a hashtag's page: its posts the viewer may see, its figures and the
// follow button.
type tagPage struct {
	Page
	Tag     *social.TagInfo
	Posts   []*social.PostView
	NextURL string
}

// tagShow lists the posts carrying a hashtag that the viewer may see. A name that no
// post can carry has no page.
func (h *handler) tagShow(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadTagPage(r, mux.Vars(r)["tag"])
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "tag", p)
	return nil
}

// loadTagPage reads a tag's figures and the page of posts named by the request's cursor.
func (h *handler) loadTagPage(r *http.Request, name string) (*tagPage, error) {
	tp, err := h.social.Tags.Page(r.Context(), viewer(r), name, r.URL.Query().Get("cursor"), 0)
	if ve, ok := social.AsValidation(err); ok {
		if _, badName := ve.Fields["name"]; badName {
			return nil, errNotFound
		}
		return nil, errBadRequest // a malformed cursor
	} else if err != nil {
		return nil, err
	}
	p := &tagPage{Page: Page{Title: "title.tag", TitleArg: tp.Tag, Nav: "tags"}, Tag: &tp.TagInfo, Posts: tp.Feed.Posts}
	if tp.Feed.Next != "" {
		p.NextURL = tagPath(tp.Tag) + "?" + url.Values{"cursor": {tp.Feed.Next}}.Encode()
	}
	return p, nil
}

// tagPath is the page of a normalized tag.
func tagPath(tag string) string { return "/tags/" + url.PathEscape(tag) }
