package social_test

// The directory benchmark the project asks for: the company directory page and the org
// chart over 20,000 people (this node's and two siblings'), on SQLite and PostgreSQL,
// target under 20 ms for a directory page. Results live in docs/benchmarks.md.
//
//	go test ./social/ -run '^$' -bench 'Directory' -benchtime 200x
//
// Benchmarks only run with -bench, so plain `go test ./social/` seeds nothing.

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"
)

// Size of the directory data set.
const (
	benchLocalPeople   = 8_000 // on this node
	benchSiblingPeople = 6_000 // on each of two siblings
	benchPartnerPeople = 1_000 // on a partner: cached, never in the directory
	benchGuests        = 200   // local guests, never in the directory
	benchUnlisted      = 200   // siblings' people their directories no longer list
	benchSkills        = 300   // distinct skills; three per person
	benchFanout        = 8     // direct reports per manager
)

// Hosts of the directory benchmark's peers.
const (
	benchSib1    = "munich.example:8443"
	benchSib2    = "lisbon.example:8443"
	benchPartner = "consult.example:8443"
)

func BenchmarkDirectory(b *testing.B) {
	for _, d := range testrig.Dialects {
		b.Run(d, func(b *testing.B) {
			store := testrig.NewStore(b, d)
			ctx := context.Background()
			start := time.Now()
			set, err := seedDirectory(ctx, store)
			if err != nil {
				b.Fatalf("seed %s: %v", d, err)
			}
			b.Logf("%s: seeded %d people in the directory (%d accounts, %d skills rows) in %s", d, set.inDirectory,
				set.accounts, set.skills, time.Since(start).Round(time.Millisecond))
			svc := testrig.Social(b, store)
			viewer, err := svc.Accounts.ByID(ctx, set.viewerID)
			if err != nil {
				b.Fatal(err)
			}
			var trace *slowestQuery
			if os.Getenv("ATRIUM_BENCH_EXPLAIN") != "" {
				trace = &slowestQuery{}
				store.DB().AddQueryHook(trace)
			}
			// page is what /people reads: the filters' choices and one page of people.
			page := func(q social.DirectoryQuery) func() (int, error) {
				return func() (int, error) {
					if _, err := svc.People.Facets(ctx, viewer); err != nil {
						return 0, err
					}
					res, err := svc.People.Directory(ctx, viewer, q)
					if err != nil {
						return 0, err
					}
					return len(res.People), nil
				}
			}
			run := func(name string, want int, op func() (int, error)) {
				b.Run(name, func(b *testing.B) {
					n, err := op()
					if err != nil {
						b.Fatal(err)
					}
					if n < want {
						b.Fatalf("%s: got %d rows, want at least %d", name, n, want)
					}
					if trace != nil {
						trace.explain(ctx, b, store, func() error { _, err := op(); return err })
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := op(); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
				})
			}
			run("page_first", 30, page(social.DirectoryQuery{}))
			run("page_deep", 30, page(social.DirectoryQuery{After: set.deepCursor}))
			run("page_site", 30, page(social.DirectoryQuery{Site: "Lisbon"}))
			run("page_department", 30, page(social.DirectoryQuery{Department: "Department 17"}))
			run("page_skill", 30, page(social.DirectoryQuery{Skill: "skill 250"}))
			run("page_text", 30, page(social.DirectoryQuery{Text: "person 01"}))
			run("page_text_none", 0, page(social.DirectoryQuery{Text: "nobody at all"}))
			run("page_combined", 1, page(social.DirectoryQuery{Site: "Berlin", Department: "Department 3", Skill: "skill 7"}))
			// What the first page after an account changed costs on top: the filters'
			// choices read again; for the org chart, everyone's place read again.
			domains := []string{benchSib2, benchSib1}
			run("facets_uncached", 2, func() (int, error) {
				sites, err := store.DirectoryValues(ctx, domains, "site", 301)
				if err != nil {
					return 0, err
				}
				depts, err := store.DirectoryValues(ctx, domains, "department", 301)
				return len(sites) + len(depts), err
			})
			run("org_edges_uncached", 20_000, func() (int, error) {
				edges, err := store.OrgEdges(ctx, domains)
				return len(edges), err
			})
			// And building the graph from them.
			edges, err := store.OrgEdges(ctx, domains)
			if err != nil {
				b.Fatal(err)
			}
			run("org_graph_build", 2, func() (int, error) { return social.BuildOrgGraph(edges), nil })
			org := func(q social.OrgQuery) func() (int, error) {
				return func() (int, error) {
					c, err := svc.People.OrgChart(ctx, viewer, q)
					if err != nil {
						return 0, err
					}
					return len(c.Nodes), nil
				}
			}
			run("org_top", 2, org(social.OrgQuery{}))
			run("org_subtree", 1, org(social.OrgQuery{Root: set.managerID}))
			run("profile_position", 0, func() (int, error) {
				p, err := svc.People.PositionOf(ctx, set.deepPerson)
				if err != nil {
					return 0, err
				}
				return len(p.Chain), nil
			})
		})
	}
}

// directorySet describes what seedDirectory made.
type directorySet struct {
	viewerID    string
	managerID   string // a manager in the middle of the chart
	deepPerson  *model.Account
	deepCursor  string // a cursor halfway down the directory
	inDirectory int
	accounts    int
	skills      int
}

// seedDirectory fills store with a company of 20,000 people: 8,000 on this node, 6,000
// on each of two siblings, with sites, 40 departments, three of 300 skills each and a
// reporting tree of eight reports per manager on each node, whose tops report to this
// node's CEO. Around them: a partner's 1,000 users, 200 local guests and 200 people
// their siblings no longer list, none of whom may show. Deterministic; bulk inserts.
func seedDirectory(ctx context.Context, store *storage.Store) (*directorySet, error) {
	rng := rand.New(rand.NewSource(20261125))
	entropy := ulid.Monotonic(rand.New(rand.NewSource(2)), 0)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	newID := func() string { return ulid.MustNew(ulid.Timestamp(at), entropy).String() }
	uris := model.NewURIs(testrig.BaseURL)

	// Rows as wide as a node's: local accounts hold a key pair and a password hash, remote
	// ones a public key, everyone a short profile text (one key and hash shared by all: testrig.SharedCredentials).
	pubPEM, privPEM, hash, err := testrig.SharedCredentials()
	if err != nil {
		return nil, err
	}
	about := "<p>Ten years in the trade; ask me about suppliers, audits and the quarterly plan.</p>"

	var accounts []model.Account
	var skills []model.Skill
	person := func(username, domain string, sites []string, role model.Role) *model.Account {
		a := model.Account{ID: newID(), Username: username, Domain: domain, Role: role,
			DisplayName: fmt.Sprintf("Person %s", username[1:]), JobTitle: "Specialist",
			Department: fmt.Sprintf("Department %d", rng.Intn(40)), Site: sites[rng.Intn(len(sites))],
			PublicKeyPEM: pubPEM, AboutHTML: about, CreatedAt: at, UpdatedAt: at}
		if domain == "" {
			a.URI, a.InboxURI, a.SharedInboxURI = uris.Actor(username), uris.Inbox(username), uris.SharedInbox()
			a.Email, a.PasswordHash, a.PrivateKeyPEM = username+"@example.com", hash, privPEM
		} else {
			base := "https://" + domain + "/users/" + username
			a.URI, a.InboxURI, a.SharedInboxURI = base, base+"/inbox", "https://"+domain+"/inbox"
			a.FetchedAt = &at
		}
		seen := map[int]bool{}
		for len(seen) < 3 {
			// Skewed: low-numbered skills are common, high ones rare.
			k := int(float64(benchSkills) * rng.Float64() * rng.Float64())
			if !seen[k] {
				seen[k] = true
				skills = append(skills, model.Skill{AccountID: a.ID, Tag: fmt.Sprintf("skill %d", k)})
			}
		}
		accounts = append(accounts, a)
		return &accounts[len(accounts)-1]
	}
	// node adds n people under prefix with a reporting tree; it returns the ids in order.
	node := func(prefix, domain string, n int, sites []string) []string {
		ids := make([]string, n)
		for i := 0; i < n; i++ {
			ids[i] = person(fmt.Sprintf("%s%05d", prefix, i), domain, sites, model.RoleMember).ID
		}
		return ids
	}
	local := node("p", "", benchLocalPeople, []string{"Berlin", "Hamburg"})
	sib1 := node("m", benchSib1, benchSiblingPeople, []string{"Munich", "Vienna"})
	sib2 := node("l", benchSib2, benchSiblingPeople, []string{"Lisbon", "Porto", "Madrid"})
	partner := node("c", benchPartner, benchPartnerPeople, []string{"Consult"})
	for i := 0; i < benchGuests; i++ {
		person(fmt.Sprintf("g%05d", i), "", []string{"Berlin"}, model.RoleGuest)
	}
	unlisted := node("u", benchSib1, benchUnlisted, []string{"Munich"})
	inDirectory := len(local) + len(sib1) + len(sib2)

	byID := make(map[string]*model.Account, len(accounts))
	for i := range accounts {
		byID[accounts[i].ID] = &accounts[i]
	}
	ceo := local[0]
	tree := func(ids []string, top string) {
		for i, id := range ids {
			switch {
			case i == 0 && top != "":
				byID[id].ManagerID = &top
			case i > 0:
				m := ids[(i-1)/benchFanout]
				byID[id].ManagerID = &m
			}
		}
	}
	tree(local, "")
	tree(sib1, ceo)
	tree(sib2, ceo)
	tree(partner, "")
	// Some people name a manager the directory does not show, and three form a loop.
	for i := 0; i < 50; i++ {
		byID[sib2[len(sib2)-1-i]].ManagerID = &partner[i]
	}
	loop := sib1[len(sib1)-3:]
	for i, id := range loop {
		m := loop[(i+1)%len(loop)]
		byID[id].ManagerID = &m
	}

	err = store.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Managers refer to accounts: insert without them, then set them.
		managers := make(map[string]*string, len(accounts))
		for i := range accounts {
			managers[accounts[i].ID], accounts[i].ManagerID = accounts[i].ManagerID, nil
		}
		if err := insertBatches(ctx, tx, accounts); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		if err := insertBatches(ctx, tx, skills); err != nil {
			return fmt.Errorf("skills: %w", err)
		}
		type edge struct {
			ID        string  `bun:"id"`
			ManagerID *string `bun:"manager_id"`
		}
		var edges []edge
		for id, m := range managers {
			if m != nil {
				edges = append(edges, edge{id, m})
			}
		}
		for i := 0; i < len(edges); i += benchBatch {
			chunk := edges[i:min(i+benchBatch, len(edges))]
			values := tx.NewValues(&chunk)
			if _, err := tx.NewUpdate().With("_data", values).Model((*model.Account)(nil)).
				TableExpr("_data").Set("manager_id = _data.manager_id").Where("account.id = _data.id").
				Exec(ctx); err != nil {
				return fmt.Errorf("managers: %w", err)
			}
		}
		for i := range accounts {
			accounts[i].ManagerID = managers[accounts[i].ID]
		}
		if _, err := tx.NewUpdate().Model((*model.Account)(nil)).Set("listed = ?", false).
			Where("id IN (?)", bun.In(unlisted)).Exec(ctx); err != nil {
			return fmt.Errorf("unlisted: %w", err)
		}
		for _, p := range []model.Peer{
			{Origin: "https://" + benchSib1, Trust: model.TrustSibling},
			{Origin: "https://" + benchSib2, Trust: model.TrustSibling},
			{Origin: "https://" + benchPartner, Trust: model.TrustPartner},
		} {
			p.CreatedAt, p.UpdatedAt = at, at
			if _, err := tx.NewInsert().Model(&p).Exec(ctx); err != nil {
				return fmt.Errorf("peer: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// PostgreSQL's autovacuum would vacuum and analyze tables this size on its own; do it
	// now so the planner sees the data and index-only scans need no row visits. SQLite is
	// left as a fresh node has it: without statistics.
	if store.Postgres() {
		if _, err := store.DB().ExecContext(ctx, "VACUUM ANALYZE accounts, skills, peers"); err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
	}
	deep := byID[sib2[len(sib2)/2]]
	return &directorySet{
		viewerID: local[1], managerID: local[9], deepPerson: deep, deepCursor: "m03000@" + benchSib1,
		inDirectory: inDirectory, accounts: len(accounts), skills: len(skills),
	}, nil
}

// slowestQuery prints the plan of the slowest query of one operation, when
// ATRIUM_BENCH_EXPLAIN is set: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
// PostgreSQL.
type slowestQuery struct {
	mu    sync.Mutex
	on    bool
	query string
	took  time.Duration
}

func (t *slowestQuery) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (t *slowestQuery) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d := time.Since(e.StartTime); t.on && d > t.took {
		t.query, t.took = e.Query, d
	}
}

func (t *slowestQuery) explain(ctx context.Context, b *testing.B, store *storage.Store, op func() error) {
	b.Helper()
	t.mu.Lock()
	t.on, t.query, t.took = true, "", 0
	t.mu.Unlock()
	err := op()
	t.mu.Lock()
	t.on = false
	query, took := t.query, t.took
	t.mu.Unlock()
	if err != nil || query == "" {
		return
	}
	prefix := "EXPLAIN QUERY PLAN "
	if store.Postgres() {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	b.Logf("slowest query (%s): %.300s", took.Round(time.Microsecond), query)
	rows, err := store.DB().QueryContext(ctx, prefix+query)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		b.Logf("  %v", vals[len(vals)-1])
	}
}
