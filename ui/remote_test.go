package ui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// newTestUIWith builds the UI like newTestUI, letting the test change the rules'
// dependencies first (a fake resolver, an outbox).
func newTestUIWith(t *testing.T, store *storage.Store, change func(*social.Deps)) *testUI {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL = testrig.BaseURL
	cfg.SiteName = "Berlin"
	deps := testrig.SocialDeps(t, store)
	cfg.DataDir = deps.DataDir
	change(&deps)
	svc := social.New(deps)
	u := &testUI{t: t, store: store, svc: svc}
	h, err := New(Options{Config: cfg, Social: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("build UI: %v", err)
	}
	u.handler = h
	return u
}

// uiResolver stands in for federation: it knows some handles, caches them in the store
// as the real resolver does, and records what it was asked.
type uiResolver struct {
	store *storage.Store
	mu    sync.Mutex
	known map[string]string
	asked []string
}

func (f *uiResolver) ResolveAccount(ctx context.Context, handle string) (*model.Account, error) {
	f.mu.Lock()
	f.asked = append(f.asked, handle)
	name, ok := f.known[handle]
	f.mu.Unlock()
	if !ok {
		return nil, social.ErrNotFound
	}
	user, domain, err := social.ParseHandle(handle)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	base := "http://" + domain + "/users/" + user
	a := &model.Account{ID: "REMOTE" + user, Username: user, Domain: domain, URI: base,
		InboxURI: base + "/inbox", SharedInboxURI: "http://" + domain + "/inbox", Role: model.RoleMember,
		DisplayName: name, FetchedAt: &now, CreatedAt: now, UpdatedAt: now}
	return a, f.store.CreateAccount(ctx, a)
}

func (f *uiResolver) questions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// remoteUI is a UI whose rules resolve remote handles with a uiResolver.
func remoteUI(t *testing.T, store *storage.Store) (*testUI, *uiResolver) {
	res := &uiResolver{store: store, known: map[string]string{}}
	u := newTestUIWith(t, store, func(d *social.Deps) { d.Resolver = res })
	return u, res
}

// cachedRemote stores a freshly fetched remote account with a profile and one post.
func cachedRemote(t *testing.T, store *storage.Store, username, domain string) *model.Account {
	t.Helper()
	ctx := context.Background()
	a := testrig.InsertRemoteAccount(t, store, username, domain)
	now := time.Now().UTC().Truncate(time.Microsecond)
	a.FetchedAt, a.DisplayName, a.JobTitle, a.Department = &now, "Bob Builder", "Site Engineer", "Facilities"
	a.AboutHTML = "<p>Builds <strong>things</strong>.</p>"
	if err := store.UpdateAccount(ctx, a, "fetched_at", "display_name", "job_title", "department", "about_html"); err != nil {
		t.Fatal(err)
	}
	p := &model.Post{ID: "01JREMOTEPOST0000000000000", URI: "http://" + domain + "/posts/1", AccountID: a.ID,
		Audience: model.AudienceCompany, Source: "", HTML: "<p>hello from the other node</p>", Local: false,
		CreatedAt: now, UpdatedAt: now}
	if err := store.InTx(ctx, func(tx *storage.Store) error { return tx.CreatePost(ctx, p, nil, nil) }); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRemoteProfile(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, res := remoteUI(t, store)
		u.account("alice", model.RoleMember)
		cachedRemote(t, store, "bob", "127.0.0.1:8082")
		res.known["carol@127.0.0.1:8083"] = "Carol Faraway"
		c := u.login("alice")

		rec := c.get("/users/bob@127.0.0.1:8082")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Bob Builder", `<span class="badge">on 127.0.0.1:8082</span>`, "@bob@127.0.0.1:8082",
			"Site Engineer · Facilities", "<strong>things</strong>", `action="/users/bob@127.0.0.1:8082/follow"`,
			"hello from the other node", `href="/users/bob@127.0.0.1:8082">Bob Builder</a>`)
		wantNoBody(t, rec, `action="/users/bob/follow"`, "Edit profile")
		if q := res.questions(); len(q) != 0 {
			t.Fatalf("fresh cache asked the resolver: %v", q)
		}
		wantStatus(t, c.get("/users/@bob@127.0.0.1:8082"), http.StatusOK)

		// First visit of someone not cached: the resolver fetches them.
		rec = c.get("/users/carol@127.0.0.1:8083")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Carol Faraway", "on 127.0.0.1:8083", "@carol@127.0.0.1:8083", "No posts yet.")
		if q := res.questions(); len(q) != 1 || q[0] != "carol@127.0.0.1:8083" {
			t.Fatalf("resolver asked %v", q)
		}

		// A handle naming this node is a local profile.
		wantBody(t, c.get("/users/alice@127.0.0.1:8080"), "@alice<", "Edit profile")

		// Unknown and malformed handles are 404s that say what to check; malformed ones
		// never reach the resolver.
		before := len(res.questions())
		for _, path := range []string{"/users/zed@127.0.0.1:8083", "/users/bob@127.0.0.1:8082:1",
			"/users/bob@127.0.0.1:99999", "/users/b%21b@127.0.0.1:8082", "/users/bob@evil@127.0.0.1:8082",
			"/users/bob@ho%20st"} {
			rec := c.get(path)
			wantStatus(t, rec, http.StatusNotFound)
			wantBody(t, rec, "No one with this handle was found")
		}
		if q := res.questions(); len(q) != before+1 {
			t.Fatalf("resolver asked %v; only zed@127.0.0.1:8083 is well-formed", q[before:])
		}
		wantNoBody(t, c.get("/users/nobody"), "No one with this handle")
	})
}

func TestRemoteResolverDown(t *testing.T) {
	store := testrig.NewStore(t, "sqlite")
	u := newTestUIWith(t, store, func(d *social.Deps) { d.Resolver = brokenResolver{} })
	u.account("alice", model.RoleMember)
	cachedRemote(t, store, "bob", "127.0.0.1:8082")
	c := u.login("alice")
	wantStatus(t, c.get("/users/bob@127.0.0.1:8082"), http.StatusOK)
	rec := c.get("/users/erin@127.0.0.1:8082")
	wantStatus(t, rec, http.StatusBadGateway)
	wantBody(t, rec, "The other node did not answer")
}

// brokenResolver is a federation whose peers never answer.
type brokenResolver struct{}

func (brokenResolver) ResolveAccount(context.Context, string) (*model.Account, error) {
	return nil, errors.New("dial tcp: connection refused")
}

func TestRemoteFollow(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, _ := remoteUI(t, store)
		alice := u.account("alice", model.RoleMember)
		bob := cachedRemote(t, store, "bob", "127.0.0.1:8082")
		c := u.login("alice")
		ctx := context.Background()

		rec := c.post("/users/bob@127.0.0.1:8082/follow", nil)
		wantStatus(t, rec, http.StatusSeeOther)
		f, err := store.FollowBetween(ctx, alice.ID, bob.ID)
		if err != nil {
			t.Fatalf("no follow row: %v", err)
		}
		page := c.get("/users/bob@127.0.0.1:8082")
		if f.Accepted {
			// A node that accepts at once (not how federation answers, but allowed).
			wantRedirect(t, rec, "/users/bob@127.0.0.1:8082?notice=followed")
			wantBody(t, page, `action="/users/bob@127.0.0.1:8082/unfollow"`, "Unfollow")
		} else {
			wantRedirect(t, rec, "/users/bob@127.0.0.1:8082?notice=follow_requested")
			wantBody(t, page, "Requested", `action="/users/bob@127.0.0.1:8082/unfollow"`, ">Undo</button>")
			wantNoBody(t, page, `action="/users/bob@127.0.0.1:8082/follow"`, ">Unfollow<")
			wantBody(t, c.get("/users/bob@127.0.0.1:8082?notice=follow_requested"), "Follow requested.")
		}

		rec = c.post("/users/bob@127.0.0.1:8082/unfollow", nil)
		if f.Accepted {
			wantRedirect(t, rec, "/users/bob@127.0.0.1:8082?notice=unfollowed")
		} else {
			wantRedirect(t, rec, "/users/bob@127.0.0.1:8082?notice=follow_withdrawn")
		}
		if _, err := store.FollowBetween(ctx, alice.ID, bob.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("follow still there after undo: %v", err)
		}
		wantBody(t, c.get("/users/bob@127.0.0.1:8082"), `action="/users/bob@127.0.0.1:8082/follow"`)

		// Following someone no node knows, or a malformed handle, is a 404.
		wantStatus(t, c.post("/users/zed@127.0.0.1:8083/follow", nil), http.StatusNotFound)
		wantStatus(t, c.post("/users/bob@127.0.0.1:0/follow", nil), http.StatusNotFound)

		// Local follows still take effect at once.
		u.account("carol", model.RoleMember)
		wantRedirect(t, c.post("/users/carol/follow", nil), "/users/carol?notice=followed")
	})
}

func TestPeopleSearchByHandle(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u, res := remoteUI(t, store)
		u.account("alice", model.RoleMember)
		testrig.InsertRemoteAccount(t, store, "remy", "127.0.0.1:9000")
		// The directory lists people of sibling nodes.
		if _, err := u.svc.Peers.Add(context.Background(), social.SystemActor(), "http://127.0.0.1:9000", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		c := u.login("alice")

		cases := []struct {
			q, location string
		}{
			{"@bob@127.0.0.1:8082", "/users/bob@127.0.0.1:8082"},
			{"  Bob@127.0.0.1:8082 ", "/users/bob@127.0.0.1:8082"},
			{"bob@node.example", "/users/bob@node.example"},
		}
		for _, tc := range cases {
			wantRedirect(t, c.get("/people?q="+url.QueryEscape(tc.q)), tc.location)
		}
		if q := res.questions(); len(q) != 0 {
			t.Fatalf("search resolved before the profile was opened: %v", q)
		}

		// Anything else is a directory search; "@name" finds name.
		rec := c.get("/people?q=" + url.QueryEscape("@alice"))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `href="/users/alice">alice</a>`)
		rec = c.get("/people?q=" + url.QueryEscape("bob@bad host"))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "No one found.")

		// Remote people link to their profile here.
		rec = c.get("/people")
		wantBody(t, rec, `href="/users/remy@127.0.0.1:9000">remy</a> <span class="muted">@remy@127.0.0.1:9000</span>`,
			"@anna@berlin.example:8080")
	})
}
