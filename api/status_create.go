package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// statusInput is the body of POST /api/v1/statuses (JSON or form). Fields Atrium has no
// counterpart for are read only to refuse them rather than drop them silently.
type statusInput struct {
	Status      string   `json:"status"`
	Visibility  string   `json:"visibility"`
	InReplyToID *string  `json:"in_reply_to_id"`
	SpoilerText string   `json:"spoiler_text"`
	MediaIDs    []string `json:"media_ids"`
	Poll        any      `json:"poll"`
}

// statusCreate publishes a post, or a comment with in_reply_to_id, and returns it. With
// an Idempotency-Key header, as Mastodon's, a repeat of the request within an hour
// returns the post the first one made: a client that got no answer may send it again.
func (h *handler) statusCreate(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	in, err := readStatusInput(r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.SpoilerText) != "" {
		return invalid("spoiler_text", "error.status.spoiler_unsupported")
	}
	if len(in.MediaIDs) > 0 {
		return invalid("media_ids", "error.status.media_unsupported")
	}
	if in.Poll != nil {
		return invalid("poll", "error.status.poll_unsupported")
	}
	audience, err := audienceOf(in.Visibility)
	if err != nil {
		return err
	}
	replyTo := ""
	if in.InReplyToID != nil {
		replyTo = strings.TrimSpace(*in.InReplyToID)
	}
	post, err := h.social.Posts.Create(r.Context(), viewer, social.PostInput{
		Source: in.Status, Audience: audience, InReplyToID: replyTo, IdempotencyKey: r.Header.Get("Idempotency-Key"),
	})
	if err != nil {
		return err
	}
	p := h.presenter(r.Context())
	parentAuthor, err := h.replyAuthor(r, viewer, post)
	if err != nil {
		return err
	}
	// A new post has no reactions or comments yet, so its view needs no further reads.
	st, err := p.status(&social.PostView{Post: post, Author: viewer, CanEdit: true, CanDelete: true}, parentAuthor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// readStatusInput reads the body as JSON or as a form.
func readStatusInput(r *http.Request) (statusInput, error) {
	var in statusInput
	kind, err := kindOf(r)
	if err != nil {
		return in, err
	}
	if kind == bodyJSON {
		err := decodeJSON(r, &in)
		return in, err
	}
	if err := parseForm(r); err != nil {
		return in, err
	}
	in.Status = r.Form.Get("status")
	in.Visibility = r.Form.Get("visibility")
	if v, ok := r.Form["in_reply_to_id"]; ok && len(v) > 0 {
		in.InReplyToID = &v[0]
	}
	in.SpoilerText = r.Form.Get("spoiler_text")
	in.MediaIDs = append(r.Form["media_ids[]"], r.Form["media_ids"]...)
	if r.Form.Has("poll[options][]") {
		in.Poll = true
	}
	return in, nil
}

// audienceOf maps a Mastodon visibility, or one of Atrium's audience names, to an
// audience. Atrium never publishes to the open Internet, so "public" and "unlisted" mean
// everyone in the company.
func audienceOf(visibility string) (model.Audience, error) {
	switch strings.ToLower(strings.TrimSpace(visibility)) {
	case "", "public", "unlisted", "company":
		return model.AudienceCompany, nil
	case "private", "followers":
		return model.AudienceFollowers, nil
	case "site":
		return model.AudienceSite, nil
	case "direct":
		return "", invalid("visibility", "error.visibility.direct_unsupported")
	}
	return "", invalid("visibility", "error.visibility.invalid")
}

// replyAuthor returns the author of the post a comment answers, or nil for a top-level
// post. The parent is in the same thread, so whoever sees the comment sees it too.
func (h *handler) replyAuthor(r *http.Request, viewer *model.Account, post *model.Post) (*model.Account, error) {
	if post.InReplyToID == nil {
		return nil, nil
	}
	parent, err := h.social.Posts.View(r.Context(), viewer, *post.InReplyToID)
	if errors.Is(err, social.ErrNotFound) {
		return nil, nil // deleted meanwhile: the field is optional
	} else if err != nil {
		return nil, err
	}
	return parent.Author, nil
}
