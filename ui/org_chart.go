package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/social"
)

// orgPage is the data of the org chart.
type orgPage struct {
	Page
	// Root is the person whose subtree is shown; "" for the top of the chart.
	Root    string
	Chart   *social.OrgChart
	NextURL string
}

// orgChart shows the org chart of the whole company: the people at its top, a page at a
// time, with their reports three levels down as nested disclosure lists (no script
// needed), or with root=<id> one person's subtree and the managers above them.
func (h *handler) orgChart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &orgPage{Page: Page{Title: "title.org", Nav: "people"}, Root: q.Get("root")}
	if len(p.Root) > 200 || len(q.Get("after")) > 200 {
		return errBadRequest
	}
	chart, err := h.social.People.OrgChart(r.Context(), viewer(r), social.OrgQuery{Root: p.Root, After: q.Get("after")})
	if err != nil {
		return err
	}
	p.Chart = chart
	if chart.Next != "" {
		p.NextURL = "/org?" + url.Values{"after": {chart.Next}}.Encode()
	}
	if p.Root != "" && len(chart.Nodes) > 0 && chart.Nodes[0].Account != nil {
		p.TitleArg, p.Title = chart.Nodes[0].Account.Name(), "title.org_of"
	}
	h.render(w, r, http.StatusOK, "org", p)
	return nil
}
