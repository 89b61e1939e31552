package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// peoplePage is the data of the company directory.
type peoplePage struct {
	Page
	// Query, Site, Department and Skill are the filters as typed.
	Query, Site, Department, Skill string
	// All is set when an admin asked to include deactivated accounts.
	All bool
	// Sites and Departments are the choices of their filters; a nil list (too many
	// values to offer) makes the form take free text instead.
	Sites, Departments []string
	Filtered           bool
	People             []*model.Account
	NextURL            string
}

// peopleList shows the company directory: this node's people and those of the sibling
// nodes, filtered by text, site, department and skill, paged by username. Admins may add
// all=1 to include deactivated accounts. A query that is a handle with a host,
// @user@host:port, goes to that person's profile, which finds them on their node.
func (h *handler) peopleList(w http.ResponseWriter, r *http.Request) error {
	v, q := viewer(r), r.URL.Query()
	p := &peoplePage{
		Page:  Page{Title: "title.people", Nav: "people"},
		Query: q.Get("q"), Site: q.Get("site"), Department: q.Get("department"), Skill: q.Get("skill"),
		All: q.Get("all") == "1" && v.IsAdmin(),
	}
	p.Filtered = p.Query != "" || p.Site != "" || p.Department != "" || p.Skill != ""
	if user, domain, err := social.ParseHandle(p.Query); err == nil && domain != "" {
		http.Redirect(w, r, "/users/"+url.PathEscape(user+"@"+domain), http.StatusSeeOther)
		return nil
	}
	facets, err := h.social.People.Facets(r.Context(), v)
	if err != nil {
		return err
	}
	if social.FacetsComplete(facets.Sites) {
		p.Sites = facets.Sites
	}
	if social.FacetsComplete(facets.Departments) {
		p.Departments = facets.Departments
	}
	list, err := h.social.People.Directory(r.Context(), v, social.DirectoryQuery{
		// "@anna" finds anna: people often type the handle form.
		Text: strings.TrimPrefix(strings.TrimSpace(p.Query), "@"), Site: p.Site, Department: p.Department,
		Skill: p.Skill, After: q.Get("after"), IncludeDeactivated: p.All,
	})
	if ve, ok := social.AsValidation(err); ok {
		p.Errors = ve.Fields
		h.render(w, r, http.StatusUnprocessableEntity, "people", p)
		return nil
	} else if err != nil {
		return err
	}
	p.People = list.People
	if list.Next != "" {
		next := p.filters()
		next.Set("after", list.Next)
		p.NextURL = "/people?" + next.Encode()
	}
	h.render(w, r, http.StatusOK, "people", p)
	return nil
}

// filters are the page's filters as query parameters, for links that keep them.
func (p *peoplePage) filters() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": p.Query, "site": p.Site, "department": p.Department, "skill": p.Skill} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p.All {
		v.Set("all", "1")
	}
	return v
}

// AllURL and ActiveURL are the page with and without deactivated accounts, filters kept.
func (p *peoplePage) AllURL() string {
	v := p.filters()
	v.Set("all", "1")
	return "/people?" + v.Encode()
}

func (p *peoplePage) ActiveURL() string {
	v := p.filters()
	v.Del("all")
	if len(v) == 0 {
		return "/people"
	}
	return "/people?" + v.Encode()
}
