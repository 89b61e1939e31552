package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// groupPostCreate publishes a post in a group from the group page's composer. Social
// gives it the group audience and holds it for approval under pre-moderation; a refused
// post shows the group page again with the text kept.
func (h *handler) groupPostCreate(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	in := social.PostInput{Source: r.PostFormValue("source"), GroupID: gv.Group.ID}
	post, err := h.social.Posts.Create(r.Context(), viewer(r), in)
	if ve, ok := social.AsValidation(err); ok {
		return h.renderGroup(w, r, http.StatusUnprocessableEntity, &groupPage{
			Page: Page{Errors: ve.Fields}, G: gv, Source: in.Source,
		})
	} else if err != nil {
		return err
	}
	notice := "posted"
	if post.State == model.PostPending {
		notice = "group_post_pending"
	}
	http.Redirect(w, r, groupPath(gv.Group)+"?notice="+notice, http.StatusSeeOther)
	return nil
}
