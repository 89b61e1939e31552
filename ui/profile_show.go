package ui

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// profilePage is the data of the profile page.
type profilePage struct {
	Page
	Profile *social.Profile
	// Path is the profile's own page, /users/name or /users/name@host:port.
	Path string
	// Pending is set while the viewer's follow waits for the remote node's answer.
	Pending bool
	// Tel is the phone number as a tel: link, built here because html/template only
	// trusts http, https and mailto URLs in attributes.
	Tel     template.URL
	Posts   []*social.PostView
	NextURL string
}

// Errors of the remote profile lookup, with messages that say what to check.
var (
	errRemoteNotFound    = &httpError{http.StatusNotFound, "error.remote.not_found"}
	errRemoteUnavailable = &httpError{http.StatusBadGateway, "error.remote.unavailable"}
)

// profileShow shows a person's profile with their posts. {username} is a local username
// or a handle user@host:port of another node, which social resolves and caches.
// Deactivated accounts are visible to admins only; social answers ErrNotFound to others.
func (h *handler) profileShow(w http.ResponseWriter, r *http.Request) error {
	ctx, v, handle := r.Context(), viewer(r), mux.Vars(r)["username"]
	prof, err := h.social.Profiles.GetByHandle(ctx, v, handle)
	if err != nil {
		return remoteError(handle, err)
	}
	p := &profilePage{
		Page:    Page{Title: "title.profile", TitleArg: prof.Account.Name(), Nav: "people"},
		Profile: prof, Path: profilePath(prof.Account), Tel: telURL(prof.Account.Phone),
	}
	if !prof.IsViewer {
		if _, p.Pending, err = h.social.Follows.State(ctx, v, prof.Account.ID); err != nil {
			return err
		}
	}
	feed, err := h.social.Posts.Feed(ctx, v, social.FeedQuery{
		AuthorID: prof.Account.ID, Cursor: r.URL.Query().Get("cursor"),
	})
	if _, ok := social.AsValidation(err); ok {
		// The only input is the cursor: a broken page link, as on the feed.
		return errBadRequest
	} else if err != nil {
		return err
	}
	p.Posts = feed.Posts
	if prof.IsViewer {
		p.Nav = "profile"
	}
	if feed.Next != "" {
		p.NextURL = p.Path + "?cursor=" + url.QueryEscape(feed.Next)
	}
	h.render(w, r, http.StatusOK, "profile", p)
	return nil
}

// remoteError turns a failed lookup of a handle with a host into a page that says how
// to write handles and that the node must be a peer; local lookups keep their error.
func remoteError(handle string, err error) error {
	if !strings.Contains(strings.TrimPrefix(handle, "@"), "@") {
		return err
	}
	switch {
	case errors.Is(err, social.ErrNotFound):
		return errRemoteNotFound
	case errors.Is(err, social.ErrRemoteUnavailable):
		return errRemoteUnavailable
	}
	return err
}

// telURL turns a stored phone number into a tel: URL of digits and a leading plus;
// social only accepts digits, spaces and +()./- in phone numbers.
func telURL(phone string) template.URL {
	var b strings.Builder
	for i, c := range strings.TrimSpace(phone) {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return template.URL("tel:" + b.String())
}
