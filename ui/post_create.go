package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// postCreate publishes a post from the composer or a comment from a post page. A refused
// input re-renders the page it came from, with the text kept.
func (h *handler) postCreate(w http.ResponseWriter, r *http.Request) error {
	in := social.PostInput{
		Source:      r.PostFormValue("source"),
		Audience:    model.Audience(r.PostFormValue("audience")),
		InReplyToID: r.PostFormValue("in_reply_to_id"),
	}
	if in.InReplyToID != "" {
		in.Audience = ""
	}
	post, err := h.social.Posts.Create(r.Context(), viewer(r), in)
	if err == nil {
		if post.RootID != nil {
			http.Redirect(w, r, "/posts/"+*post.RootID+"#post-"+post.ID, http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/?notice=posted", http.StatusSeeOther)
		}
		return nil
	}
	ve, ok := social.AsValidation(err)
	if !ok {
		return err
	}
	if in.InReplyToID != "" {
		v, err := h.social.Posts.View(r.Context(), viewer(r), in.InReplyToID)
		if err != nil {
			return err
		}
		h.render(w, r, http.StatusUnprocessableEntity, "post", &postPage{
			Page: Page{Title: "title.post", Errors: ve.Fields}, V: v, Source: in.Source,
		})
		return nil
	}
	page := &feedPage{Page: Page{Title: "title.feed", Nav: "feed", Errors: ve.Fields}, Source: in.Source, Audience: in.Audience}
	if err := h.loadFeed(r, page); err != nil {
		return err
	}
	h.render(w, r, http.StatusUnprocessableEntity, "feed", page)
	return nil
}
