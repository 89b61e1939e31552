package social

import (
	"context"
	"sort"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// The org chart is the directory's people arranged by their managers, across nodes. It is
// built from one read of everyone's id, manager, name and title, kept until accounts
// change, and shown a few levels at a time: a page of top people with their reports three
// levels down, and any person's own subtree on request, so that 20,000 people never end
// up on one page.

// Why a person is at the top of the org chart.
const (
	// OrgTop has no manager.
	OrgTop = "top"
	// OrgMissing names a manager who is not in the directory (deactivated, a guest, on a
	// partner node, or not known here).
	OrgMissing = "missing"
	// OrgCycle is in a loop of managers; the loop is cut above this person.
	OrgCycle = "cycle"
)

// Bounds of one org chart page.
const (
	orgRootsPerPage  = 50
	orgDepth         = 3
	orgChildrenShown = 50
	// orgNodeBudget bounds the people one page shows in all.
	orgNodeBudget = 400
	// maxReportsShown bounds the direct reports a profile lists.
	maxReportsShown = 200
	// maxChainShown bounds the managers above a person a page shows.
	maxChainShown = 20
)

// OrgNode is a person in the org chart with the reports shown under them.
type OrgNode struct {
	Account *model.Account
	Reports []*OrgNode
	// ReportCount is how many direct reports the person has, shown or not.
	ReportCount int
	// More is set when reports exist that this page does not show: the person's own
	// subtree page shows them.
	More bool
	// Root says why a person is at the top: OrgTop, OrgMissing or OrgCycle; "" below it.
	Root string
}

// OrgQuery selects an org chart page: the top people (Root "") from After on, or the
// subtree of the person Root.
type OrgQuery struct {
	Root  string
	After string
}

// OrgChart is one page of the org chart.
type OrgChart struct {
	// Nodes are the top people of the page, or the one person asked for.
	Nodes []*OrgNode
	// Chain is the managers above the person asked for, nearest first.
	Chain []*model.Account
	// Next is the cursor of the next page of top people; "" at the end.
	Next string
	// People and Tops count everyone in the chart and the people at its top.
	People, Tops int
}

// orgGraph is the org chart in memory: people by index, their managers after cutting
// loops, and their reports sorted by name.
type orgGraph struct {
	edges []storage.OrgEdge
	// names are the people's names lower-cased, the sort key.
	names   []string
	index   map[string]int
	manager []int // -1 at the top
	root    []string
	reports [][]int
	tops    []int
}

// buildOrgGraph arranges edges by manager. A manager outside edges makes a person a top
// with OrgMissing; each loop of managers is cut at its first person by sort order, who
// becomes a top with OrgCycle, so the same data always gives the same chart.
func buildOrgGraph(edges []storage.OrgEdge) *orgGraph {
	n := len(edges)
	g := &orgGraph{edges: edges, names: make([]string, n), index: make(map[string]int, n), manager: make([]int, n),
		root: make([]string, n), reports: make([][]int, n)}
	for i, e := range edges {
		g.index[e.ID] = i
		g.names[i] = strings.ToLower(orgName(e))
	}
	for i, e := range edges {
		g.manager[i] = -1
		switch {
		case e.ManagerID == nil:
			g.root[i] = OrgTop
		default:
			if m, ok := g.index[*e.ManagerID]; ok && m != i {
				g.manager[i] = m
			} else if ok {
				g.root[i] = OrgCycle // one's own manager
			} else {
				g.root[i] = OrgMissing
			}
		}
	}
	// Walk up from every person; a walk that meets its own path has found a loop.
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, n)
	var path []int
	for start := 0; start < n; start++ {
		path = path[:0]
		i := start
		for i >= 0 && state[i] == unseen {
			state[i] = onPath
			path = append(path, i)
			i = g.manager[i]
		}
		if i >= 0 && state[i] == onPath {
			// The loop is path from i on; cut it above its first person by sort order.
			k := len(path) - 1
			for path[k] != i {
				k--
			}
			cut := path[k]
			for _, j := range path[k:] {
				if g.less(j, cut) {
					cut = j
				}
			}
			g.manager[cut], g.root[cut] = -1, OrgCycle
		}
		for _, j := range path {
			state[j] = done
		}
	}
	for i := range edges {
		if m := g.manager[i]; m >= 0 {
			g.reports[m] = append(g.reports[m], i)
		} else {
			g.tops = append(g.tops, i)
		}
	}
	for i := range g.reports {
		g.sort(g.reports[i])
	}
	g.sort(g.tops)
	return g
}

// less orders people by name, then handle.
func (g *orgGraph) less(a, b int) bool {
	if na, nb := g.names[a], g.names[b]; na != nb {
		return na < nb
	}
	ea, eb := g.edges[a], g.edges[b]
	if ea.Username != eb.Username {
		return ea.Username < eb.Username
	}
	return ea.Domain < eb.Domain
}

func (g *orgGraph) sort(list []int) {
	sort.Slice(list, func(x, y int) bool { return g.less(list[x], list[y]) })
}

func orgName(e storage.OrgEdge) string {
	if e.DisplayName != "" {
		return e.DisplayName
	}
	return e.Username
}

// subtree lays out the reports of i down to depth levels, spending from budget; people
// left out are flagged with More on their manager.
func (g *orgGraph) subtree(i, depth int, budget *int) *orgNode {
	n := &orgNode{idx: i}
	reports := g.reports[i]
	if depth == 0 || len(reports) == 0 {
		n.more = len(reports) > 0
		return n
	}
	for k, r := range reports {
		if k == orgChildrenShown || *budget <= 0 {
			n.more = true
			break
		}
		*budget--
		n.children = append(n.children, g.subtree(r, depth-1, budget))
	}
	return n
}

// orgNode is a laid-out person before the accounts are read.
type orgNode struct {
	idx      int
	children []*orgNode
	more     bool
}

// OrgChart returns a page of the org chart: the top people, or the subtree of q.Root
// with the managers above them.
func (p *People) OrgChart(ctx context.Context, viewer *model.Account, q OrgQuery) (*OrgChart, error) {
	if err := p.mayBrowse(viewer); err != nil {
		return nil, err
	}
	domains, err := p.siblingDomains(ctx)
	if err != nil {
		return nil, err
	}
	// The graph is built from every person of the company: kept until accounts change.
	g, err := cached(p, func(c *peopleCache) *derived[*orgGraph] { return &c.graph }, domains,
		func() (*orgGraph, error) {
			edges, err := p.Store.OrgEdges(ctx, domains)
			if err != nil {
				return nil, err
			}
			return buildOrgGraph(edges), nil
		})
	if err != nil {
		return nil, err
	}
	edges := g.edges
	chart := &OrgChart{People: len(edges), Tops: len(g.tops)}
	budget := orgNodeBudget
	var laid []*orgNode
	if q.Root != "" {
		i, ok := g.index[q.Root]
		if !ok {
			return nil, ErrNotFound
		}
		laid = append(laid, g.subtree(i, orgDepth, &budget))
		for m, k := g.manager[i], 0; m >= 0 && k < maxChainShown; m, k = g.manager[m], k+1 {
			laid = append(laid, &orgNode{idx: m}) // read with the rest; moved to Chain below
		}
	} else {
		start := 0
		if q.After != "" {
			if i, ok := g.index[q.After]; ok {
				for k, t := range g.tops {
					if t == i {
						start = k + 1
						break
					}
				}
			}
		}
		end := min(start+orgRootsPerPage, len(g.tops))
		for _, t := range g.tops[start:end] {
			laid = append(laid, g.subtree(t, orgDepth, &budget))
		}
		if end < len(g.tops) {
			chart.Next = edges[g.tops[end-1]].ID
		}
	}
	// What the chart shows of each person is in the graph: no read per page.
	accounts := g.accounts(laid)
	var build func(n *orgNode) *OrgNode
	build = func(n *orgNode) *OrgNode {
		out := &OrgNode{Account: accounts[g.edges[n.idx].ID], ReportCount: len(g.reports[n.idx]), More: n.more,
			Root: g.root[n.idx]}
		for _, c := range n.children {
			out.Reports = append(out.Reports, build(c))
		}
		return out
	}
	if q.Root != "" {
		chart.Nodes = []*OrgNode{build(laid[0])}
		for _, m := range laid[1:] {
			chart.Chain = append(chart.Chain, accounts[g.edges[m.idx].ID])
		}
		return chart, nil
	}
	for _, n := range laid {
		chart.Nodes = append(chart.Nodes, build(n))
	}
	return chart, nil
}

// accounts gives every laid-out person as an account with what the chart shows: name,
// handle and job title.
func (g *orgGraph) accounts(laid []*orgNode) map[string]*model.Account {
	out := map[string]*model.Account{}
	var walk func(n *orgNode)
	walk = func(n *orgNode) {
		e := g.edges[n.idx]
		out[e.ID] = &model.Account{ID: e.ID, Username: e.Username, Domain: e.Domain, DisplayName: e.DisplayName,
			JobTitle: e.JobTitle}
		for _, c := range n.children {
			walk(c)
		}
	}
	for _, n := range laid {
		walk(n)
	}
	return out
}

// Position is where a person stands in the org chart, as their profile shows it.
type Position struct {
	// Chain is their managers, nearest first, as far as the directory knows them.
	Chain []*model.Account
	// Cycle is set when the chain leads back to the person or loops above them.
	Cycle bool
	// Missing is set when the person names a manager who is not in the directory.
	Missing bool
	// Reports are the directory's people who name the person as their manager.
	Reports []*model.Account
	// InChart is set when the person is in the directory and so in the org chart.
	InChart bool
}

// PositionOf returns acct's managers and direct reports in the company directory. Only
// the directory's people appear: not guests, not partners' users, not deactivated ones.
func (p *People) PositionOf(ctx context.Context, acct *model.Account) (*Position, error) {
	domains, err := p.siblingDomains(ctx)
	if err != nil {
		return nil, err
	}
	pos := &Position{}
	if pos.Reports, err = p.Store.DirectoryReports(ctx, domains, acct.ID, maxReportsShown); err != nil {
		return nil, err
	}
	in, err := p.Store.InDirectory(ctx, domains, []string{acct.ID})
	if err != nil {
		return nil, err
	}
	pos.InChart = in[acct.ID]
	seen := map[string]bool{acct.ID: true}
	next := acct.ManagerID
	for next != nil && len(pos.Chain) < maxChainShown {
		if seen[*next] {
			pos.Cycle = true
			break
		}
		seen[*next] = true
		in, err := p.Store.InDirectory(ctx, domains, []string{*next})
		if err != nil {
			return nil, err
		}
		if !in[*next] {
			pos.Missing = len(pos.Chain) == 0
			break
		}
		m, err := p.Store.Account(ctx, *next)
		if err != nil {
			return nil, err
		}
		pos.Chain = append(pos.Chain, m)
		next = m.ManagerID
	}
	return pos, nil
}
