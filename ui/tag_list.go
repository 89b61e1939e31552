package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// tagsPage lists the hashtags the viewer follows and those in use this week.
type tagsPage struct {
	Page
	Followed []*model.TagFollow
	Trending []social.TagCount
	// Query is the name typed into the "go to a hashtag" form, kept when it is refused.
	Query string
}

// tagList shows the viewer's followed hashtags and the trending ones. ?tag=name goes to
// that hashtag's page, where it can be followed.
func (h *handler) tagList(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), viewer(r)
	p := &tagsPage{Page: Page{Title: "title.tags", Nav: "tags"}, Query: r.URL.Query().Get("tag")}
	status := http.StatusOK
	if r.URL.Query().Has("tag") {
		if tag, ok := social.NormalizeTag(p.Query); ok {
			http.Redirect(w, r, tagPath(tag), http.StatusSeeOther)
			return nil
		}
		p.Errors = map[string]string{"tag": "error.tag.invalid"}
		status = http.StatusUnprocessableEntity
	}
	var err error
	if p.Followed, err = h.social.Tags.Followed(ctx, v); err != nil {
		return err
	}
	if p.Trending, err = h.social.Tags.Trending(ctx, v, 20); err != nil {
		return err
	}
	h.render(w, r, status, "tags", p)
	return nil
}
