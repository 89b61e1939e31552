package ui

import (
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
	// Tel is the phone number as a tel: link, built here because html/template only
	// trusts http, https and mailto URLs in attributes.
	Tel     template.URL
	Posts   []*social.PostView
	NextURL string
}

// profileShow shows a person's profile with their posts. Deactivated accounts are
// visible to admins only; social.Profiles.Get answers ErrNotFound to everyone else.
func (h *handler) profileShow(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), viewer(r)
	prof, err := h.social.Profiles.Get(ctx, v, mux.Vars(r)["username"])
	if err != nil {
		return err
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
	p := &profilePage{
		Page:    Page{Title: "title.profile", TitleArg: prof.Account.Name(), Nav: "people"},
		Profile: prof, Tel: telURL(prof.Account.Phone), Posts: feed.Posts,
	}
	if prof.IsViewer {
		p.Nav = "profile"
	}
	if feed.Next != "" {
		p.NextURL = "/users/" + url.PathEscape(prof.Account.Username) + "?cursor=" + url.QueryEscape(feed.Next)
	}
	h.render(w, r, http.StatusOK, "profile", p)
	return nil
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
