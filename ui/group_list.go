package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/social"
)

// groupsPage is the data of the group directory.
type groupsPage struct {
	Page
	Query string
	// Mine limits the list to the viewer's groups (tab "My groups").
	Mine    bool
	Groups  []*social.GroupView
	NextURL string
	// Invitations are the viewer's pending invitations, on the first page only.
	Invitations []*social.GroupInvitation
}

// groupList shows the group directory: open and closed groups plus the secret ones the
// viewer belongs to, searchable by name and paged by name. Social decides what is listed.
func (h *handler) groupList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &groupsPage{
		Page:  Page{Title: "title.groups", Nav: "groups"},
		Query: q.Get("q"), Mine: q.Get("tab") == "mine",
	}
	list, err := h.social.Groups.List(r.Context(), viewer(r), social.GroupQuery{
		Text: strings.TrimSpace(p.Query), After: q.Get("after"), Mine: p.Mine,
	})
	if ve, ok := social.AsValidation(err); ok {
		p.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "group_list", p)
		return nil
	} else if err != nil {
		return err
	}
	p.Groups = list.Groups
	if q.Get("after") == "" {
		if p.Invitations, err = h.social.Groups.Invitations(r.Context(), viewer(r)); err != nil {
			return err
		}
	}
	if list.Next != "" {
		next := url.Values{"after": {list.Next}}
		if p.Query != "" {
			next.Set("q", p.Query)
		}
		if p.Mine {
			next.Set("tab", "mine")
		}
		p.NextURL = "/groups?" + next.Encode()
	}
	h.render(w, r, http.StatusOK, "group_list", p)
	return nil
}
