package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// peoplePage is the data of the people directory.
type peoplePage struct {
	Page
	Query string
	// All is set when an admin asked to include deactivated accounts.
	All     bool
	People  []*model.Account
	NextURL string
}

// peopleList shows the people directory, searchable and paged by username. Admins may
// add all=1 to include deactivated accounts. A query that is a handle with a host,
// @user@host:port, goes to that person's profile, which finds them on their node.
func (h *handler) peopleList(w http.ResponseWriter, r *http.Request) error {
	v, q := viewer(r), r.URL.Query()
	p := &peoplePage{
		Page:  Page{Title: "title.people", Nav: "people"},
		Query: q.Get("q"), All: q.Get("all") == "1" && v.IsAdmin(),
	}
	if user, domain, err := social.ParseHandle(p.Query); err == nil && domain != "" {
		http.Redirect(w, r, "/users/"+url.PathEscape(user+"@"+domain), http.StatusSeeOther)
		return nil
	}
	list, err := h.social.Accounts.List(r.Context(), v, social.AccountQuery{
		// "@anna" finds anna: people often type the handle form.
		Text: strings.TrimPrefix(strings.TrimSpace(p.Query), "@"), After: q.Get("after"), IncludeDeactivated: p.All,
	})
	if ve, ok := social.AsValidation(err); ok {
		p.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "people", p)
		return nil
	} else if err != nil {
		return err
	}
	p.People = list.Accounts
	if list.Next != "" {
		next := url.Values{"after": {list.Next}}
		if p.Query != "" {
			next.Set("q", p.Query)
		}
		if p.All {
			next.Set("all", "1")
		}
		p.NextURL = "/people?" + next.Encode()
	}
	h.render(w, r, http.StatusOK, "people", p)
	return nil
}
