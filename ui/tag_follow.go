package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// tagFollow makes the viewer follow a hashtag: its posts join their Following feed.
func (h *handler) tagFollow(w http.ResponseWriter, r *http.Request) error {
	return h.tagFollowing(w, r, true)
}

// tagUnfollow stops the viewer following a hashtag.
func (h *handler) tagUnfollow(w http.ResponseWriter, r *http.Request) error {
	return h.tagFollowing(w, r, false)
}

// tagFollowing follows or unfollows and goes back to the tag's page, or to the hashtag
// list when the form came from there. Refused at the limit, the tag's page shows why.
func (h *handler) tagFollowing(w http.ResponseWriter, r *http.Request, on bool) error {
	ctx, v, name := r.Context(), viewer(r), mux.Vars(r)["tag"]
	change, notice := h.social.Tags.Unfollow, "tag_unfollowed"
	if on {
		change, notice = h.social.Tags.Follow, "tag_followed"
	}
	tag, err := change(ctx, v, name)
	if ve, ok := social.AsValidation(err); ok {
		if ve.Fields["name"] == "error.tag.invalid" {
			return errNotFound
		}
		p, err := h.loadTagPage(r, name)
		if err != nil {
			return err
		}
		p.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "tag", p)
		return nil
	} else if err != nil {
		return err
	}
	back := tagPath(tag)
	if r.PostFormValue("from") == "list" {
		back = "/tags"
	}
	http.Redirect(w, r, back+"?notice="+notice, http.StatusSeeOther)
	return nil
}
