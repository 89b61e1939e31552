package social

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// People is the company directory: this node's members and the people of the sibling
// nodes, as their directories list them, with the org chart built from their managers.
// Guests see none of it, and partner nodes' users are never part of it.
type People struct {
	*core
	// cache keeps what is derived from every person of the directory; nil reads anew.
	cache *peopleCache
}

func newPeople(c *core) *People { return &People{core: c, cache: &peopleCache{}} }

// peopleCacheTTL bounds how long derived data is kept: changes made through this node's
// store drop it at once (storage.AccountsVersion), changes by another process (the
// command line) after this long.
const peopleCacheTTL = time.Minute

// peopleCache holds what is derived from every person of the directory: the filters'
// choices and the org chart's graph, each with the accounts version, sibling domains
// and time it was computed for. Values are never changed once kept.
type peopleCache struct {
	mu     sync.Mutex
	facets derived[*DirectoryFacets]
	graph  derived[*orgGraph]
}

// derived is a value computed from all accounts.
type derived[T any] struct {
	ok      bool
	version uint64
	domains string
	at      time.Time
	value   T
}

// cached returns the value slot holds for the current accounts version and domains if it
// is recent, or computes and keeps it. The version is read before computing, so a change
// meanwhile is not hidden: the next call sees a newer version.
func cached[T any](p *People, slot func(*peopleCache) *derived[T], domains []string, compute func() (T, error)) (T, error) {
	if p.cache == nil {
		return compute()
	}
	version, key, now := p.Store.AccountsVersion(), strings.Join(domains, " "), p.now()
	p.cache.mu.Lock()
	e := *slot(p.cache)
	p.cache.mu.Unlock()
	if e.ok && e.version == version && e.domains == key && now.Sub(e.at) < peopleCacheTTL && !now.Before(e.at) {
		return e.value, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	p.cache.mu.Lock()
	*slot(p.cache) = derived[T]{ok: true, version: version, domains: key, at: now, value: v}
	p.cache.mu.Unlock()
	return v, nil
}

// DirectorySyncer reads the sibling nodes' member directories. Package federation
// implements it; the node runs it periodically.
type DirectorySyncer interface {
	// Sync reads every sibling's directory now and waits for the result.
	Sync(ctx context.Context) (DirectorySyncResult, error)
	// Kick asks for a read soon without waiting, e.g. after a sibling was added.
	Kick()
}

// DirectorySyncResult is what one read of the sibling directories did.
type DirectorySyncResult struct {
	// Nodes is how many siblings were read completely; Failed how many were not.
	Nodes, Failed int
	// People is how many people the complete reads listed; Unlisted how many cached
	// people their nodes no longer list.
	People, Unlisted int
}

// noDirectorySync is the directory reader of a node without federation.
type noDirectorySync struct{}

func (noDirectorySync) Sync(context.Context) (DirectorySyncResult, error) {
	return DirectorySyncResult{}, nil
}
func (noDirectorySync) Kick() {}

// DirectoryQuery selects a page of the directory. Site, Department and Skill match
// exactly; Text matches name, username or job title.
type DirectoryQuery struct {
	Text, Site, Department, Skill string
	// After is the cursor of a DirectoryResult.Next.
	After string
	Limit int
	// IncludeDeactivated is honoured for admins only.
	IncludeDeactivated bool
}

// DirectoryResult is one page of the directory and the cursor of the next ("" at the
// end). People have their Skills set.
type DirectoryResult struct {
	People []*model.Account
	Next   string
}

// DirectoryFacets are the values the directory's filters offer.
type DirectoryFacets struct {
	Sites, Departments []string
}

// Limits of the directory's filters.
const (
	maxFilterRunes = 100
	// maxFacetValues bounds the choices of a filter; beyond it the form takes free text.
	maxFacetValues = 300
)

// Directory returns a page of the company directory, ordered by username. The cursor
// is the last username with "@domain" for a remote person.
func (p *People) Directory(ctx context.Context, viewer *model.Account, q DirectoryQuery) (*DirectoryResult, error) {
	if err := p.mayBrowse(viewer); err != nil {
		return nil, err
	}
	pr := problems{}
	for field, v := range map[string]string{"q": q.Text, "site": q.Site, "department": q.Department, "skill": q.Skill} {
		if utf8.RuneCountInString(v) > maxFilterRunes {
			pr.add(field, "error.too_long")
		}
	}
	if err := pr.err(); err != nil {
		return nil, err
	}
	limit := clampLimit(q.Limit, 30, 100)
	domains, err := p.siblingDomains(ctx)
	if err != nil {
		return nil, err
	}
	after, afterDomain, _ := strings.Cut(q.After, "@")
	list, err := p.Store.ListDirectory(ctx, storage.DirectoryFilter{
		Domains: domains, Text: q.Text, Site: strings.TrimSpace(q.Site), Department: strings.TrimSpace(q.Department),
		Skill: normalizeSkill(q.Skill), After: after, AfterDomain: afterDomain, Limit: limit + 1,
		IncludeDeactivated: q.IncludeDeactivated && viewer.IsAdmin(),
	})
	if err != nil {
		return nil, err
	}
	res := &DirectoryResult{People: list}
	if len(list) > limit {
		res.People = list[:limit]
		last := list[limit-1]
		res.Next = last.Username
		if !last.Local() {
			res.Next += "@" + last.Domain
		}
	}
	ids := make([]string, len(res.People))
	for i, a := range res.People {
		ids[i] = a.ID
	}
	skills, err := p.Store.SkillsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range res.People {
		a.Skills = skills[a.ID]
	}
	return res, nil
}

// Facets returns the sites and departments the directory's people name.
func (p *People) Facets(ctx context.Context, viewer *model.Account) (*DirectoryFacets, error) {
	if err := p.mayBrowse(viewer); err != nil {
		return nil, err
	}
	domains, err := p.siblingDomains(ctx)
	if err != nil {
		return nil, err
	}
	// Every page of the directory shows them, and they change rarely.
	return cached(p, func(c *peopleCache) *derived[*DirectoryFacets] { return &c.facets }, domains,
		func() (*DirectoryFacets, error) {
			f := &DirectoryFacets{}
			var err error
			if f.Sites, err = p.Store.DirectoryValues(ctx, domains, "site", maxFacetValues+1); err != nil {
				return nil, err
			}
			if f.Departments, err = p.Store.DirectoryValues(ctx, domains, "department", maxFacetValues+1); err != nil {
				return nil, err
			}
			return f, nil
		})
}

// FacetsComplete reports whether a list of facet values is whole; a longer one was cut
// and the form offers free text instead.
func FacetsComplete(values []string) bool { return len(values) <= maxFacetValues }

// SyncDirectory asks for a read of the sibling nodes' directories now rather than at the
// next interval; it runs in the background. Admins only.
func (p *People) SyncDirectory(ctx context.Context, actor *model.Account) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	p.Log.InfoContext(ctx, "directory sync requested", "by", actor.Username)
	p.DirectorySync.Kick()
	return nil
}

// mayBrowse lets the company's own people see the directory: local members and admins
// that are active. Guests see no directory.
func (p *People) mayBrowse(viewer *model.Account) error {
	if viewer == nil || viewer.IsGuest() || !viewer.Local() || !viewer.Active() {
		return ErrForbidden
	}
	return nil
}

// siblingDomains lists the domains (host:port, as remote accounts store them) of the
// sibling nodes allowed now; a node on a default port may be written with or without it.
func (c *core) siblingDomains(ctx context.Context) ([]string, error) {
	peers, err := c.Store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, pr := range peers {
		if pr.Trust != model.TrustSibling {
			continue
		}
		u, err := url.Parse(pr.Origin)
		if err != nil || u.Host == "" {
			continue
		}
		host := strings.ToLower(u.Host)
		out = append(out, host)
		if def := map[string]string{"http": "80", "https": "443"}[u.Scheme]; def != "" && u.Port() == def {
			out = append(out, strings.TrimSuffix(host, ":"+def))
		}
	}
	return out, nil
}

// normalizeSkill is how skills are stored: trimmed, single-spaced, lower-case.
func normalizeSkill(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// remoteSkills normalizes the skills another node states and drops what a local profile
// could not hold, keeping at most maxSkills.
func remoteSkills(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		s = normalizeSkill(s)
		if s == "" || utf8.RuneCountInString(s) > maxSkillRunes || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
		if len(out) == maxSkills {
			break
		}
	}
	return out
}
