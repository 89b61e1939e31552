package storage_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// textPost stores a top-level post with the given HTML.
func textPost(t *testing.T, s *storage.Store, author *model.Account, aud model.Audience, html string, tags ...string) *model.Post {
	t.Helper()
	p := post(t, s, author, aud, t0, nil)
	p.HTML = html
	err := s.InTx(ctx, func(tx *storage.Store) error {
		return tx.UpdatePostContent(ctx, p, &model.PostEdit{ID: newID(t0), PostID: p.ID, Source: "src", HTML: "<p>src</p>", EditedAt: t0}, nil, tags)
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// found returns the ids of the posts a search finds, best first.
func found(t *testing.T, s *storage.Store, v storage.Viewer, query string) []string {
	t.Helper()
	hits, err := s.SearchPosts(ctx, v, fulltext.Parse(query), 40, 0)
	if err != nil {
		t.Fatalf("search %q: %v", query, err)
	}
	ids := []string{}
	for _, h := range hits {
		ids = append(ids, h.PostID)
	}
	return ids
}

func TestSearchPostsStemsAndRanks(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann := local(t, s, "ann")
		v := storage.Viewer{AccountID: ann.ID}
		houses := textPost(t, s, ann, model.AudienceSite, "<p>Die Häuser am See werden renoviert</p>")
		running := textPost(t, s, ann, model.AudienceSite, "<p>We were <strong>running</strong> late</p>")
		twice := textPost(t, s, ann, model.AudienceSite, "<p>Budget, budget: the budget plan</p>")
		once := textPost(t, s, ann, model.AudienceSite, "<p>The budget is one topic among many others we talked about at length today</p>")
		street := textPost(t, s, ann, model.AudienceSite, "<p>Umzug in die Straße am Markt</p>")
		cases := []struct {
			query string
			want  []string
		}{
			{"Haus", []string{houses.ID}},
			{"häusern", []string{houses.ID}},
			{"HÄUSER", []string{houses.ID}},
			{"run", []string{running.ID}},
			{"runs", []string{running.ID}},
			{"running late", []string{running.ID}},
			{"running early", nil},
			{"strasse", []string{street.ID}},
			{"budget", []string{twice.ID, once.ID}},
			{"budget plan", []string{twice.ID}},
			{"the", nil},
			{"renoviert Haus", []string{houses.ID}},
		}
		for _, c := range cases {
			got := found(t, s, v, c.query)
			if c.want == nil {
				c.want = []string{}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("search %q = %v, want %v", c.query, got, c.want)
			}
		}
		// Paging: the second of two budget posts, then nothing.
		hits, err := s.SearchPosts(ctx, v, fulltext.Parse("budget"), 1, 1)
		if err != nil || len(hits) != 1 || hits[0].PostID != once.ID {
			t.Errorf("page 2: %v %v", hits, err)
		}
	})
}

func TestSearchIndexFollowsPosts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann := local(t, s, "ann")
		v := storage.Viewer{AccountID: ann.ID}
		p := textPost(t, s, ann, model.AudienceSite, "<p>Quarterly roadmap</p>")
		comment := post(t, s, ann, "", t0.Add(time.Minute), p)
		comment.HTML = "<p>roadmap comment about kittens</p>"
		if err := s.InTx(ctx, func(tx *storage.Store) error {
			return tx.UpdatePostContent(ctx, comment, &model.PostEdit{ID: newID(t0), PostID: comment.ID, Source: "s", HTML: "h", EditedAt: t0}, nil, nil)
		}); err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, v, "kittens"); !reflect.DeepEqual(got, []string{comment.ID}) {
			t.Fatalf("comment: %v", got)
		}
		// An edit replaces the terms: the old text is no longer found.
		p.HTML = "<p>Annual budget</p>"
		if err := s.InTx(ctx, func(tx *storage.Store) error {
			return tx.UpdatePostContent(ctx, p, &model.PostEdit{ID: newID(t0), PostID: p.ID, Source: "s", HTML: "h", EditedAt: t0}, nil, nil)
		}); err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, v, "quarterly"); len(got) != 0 {
			t.Errorf("old text still found: %v", got)
		}
		if got := found(t, s, v, "annual"); !reflect.DeepEqual(got, []string{p.ID}) {
			t.Errorf("new text: %v", got)
		}
		// A remote post arriving through the inbox's insert is indexed too.
		bob := &model.Account{ID: newID(t0), Username: "bob", Domain: "127.0.0.1:8082", URI: "http://127.0.0.1:8082/users/bob",
			Role: model.RoleMember, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateAccount(ctx, bob); err != nil {
			t.Fatal(err)
		}
		remote := &model.Post{ID: newID(t0), URI: "http://127.0.0.1:8082/posts/1", AccountID: bob.ID, Audience: model.AudienceCompany,
			State: model.PostPublished, HTML: "<p>Remote zebra sighting</p>", CreatedAt: t0, UpdatedAt: t0}
		if err := s.InTx(ctx, func(tx *storage.Store) error {
			_, err := tx.CreatePostIfNew(ctx, remote, nil, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, v, "zebras"); !reflect.DeepEqual(got, []string{remote.ID}) {
			t.Errorf("remote post: %v", got)
		}
		// Deleting a post takes it and its comments out of the index.
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, v, "kittens"); len(got) != 0 {
			t.Errorf("deleted comment found: %v", got)
		}
		if n := count(t, s, "post_search", "post_id IN (?, ?)", p.ID, comment.ID); n != 0 {
			t.Errorf("%d index rows left", n)
		}
		if !s.Postgres() {
			// The FTS5 index itself holds nothing of them: only the zebra post matches anything.
			var n int
			if err := s.DB().NewRaw(`SELECT COUNT(*) FROM post_fts WHERE post_fts MATCH 'kittens OR annual OR roadmap'`).Scan(ctx, &n); err != nil || n != 0 {
				t.Errorf("FTS5 rows left: %d %v", n, err)
			}
		}
	})
}

// hostileQueries are things people type that mean something to a query language.
var hostileQueries = []string{
	`"`, `'`, `''`, `"unterminated`, `NEAR(a b)`, `NEAR/2`, `*`, `a*`, `-foo`, `NOT foo`, `foo AND`, `OR`,
	`a:b`, `body:x`, `^start`, `)(`, `(`, `{a b}`, `\`, `%_`, `'; DROP TABLE posts; --`, `!`, `&|`, `<->`,
	`foo:*`, `:*`, `@@`, `💥🔥`, `\x00`, strings.Repeat(`"(*`, 60), `#tag`, `@anna`, `@anna@127.0.0.1:8082`,
	"tab\tand\nnewline", `ö'ä"ü`, `1e5 3.14 -2`,
}

func TestSearchHostileQueries(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann := local(t, s, "ann")
		v := storage.Viewer{AccountID: ann.ID}
		textPost(t, s, ann, model.AudienceSite, "<p>foo bar</p>", "tag")
		for _, raw := range hostileQueries {
			q := fulltext.Parse(raw)
			if _, err := s.SearchPosts(ctx, v, q, 20, 0); err != nil {
				t.Errorf("posts %q: %v", raw, err)
			}
			if _, err := s.SearchAccounts(ctx, v, q, strings.ToLower(raw), 20, 0); err != nil {
				t.Errorf("accounts %q: %v", raw, err)
			}
			if _, err := s.SearchGroups(ctx, v, "", q, 20, 0); err != nil {
				t.Errorf("groups %q: %v", raw, err)
			}
			if _, err := s.SearchTags(ctx, v, strings.ToLower(raw), storage.TagsPage()); err != nil {
				t.Errorf("tags %q: %v", raw, err)
			}
		}
	})
}

func TestSearchAccountsAndTags(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		ann := local(t, s, "ann")
		anna := local(t, s, "anna")
		anna.DisplayName, anna.JobTitle, anna.Department = "Anna Müller", "Entwicklerin", "Forschung"
		if err := s.UpdateAccount(ctx, anna, "display_name", "job_title", "department"); err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.ReplaceSkills(ctx, ann.ID, []string{"project management"}) }); err != nil {
			t.Fatal(err)
		}
		v := storage.Viewer{AccountID: ann.ID}
		names := func(query, skill string) []string {
			list, err := s.SearchAccounts(ctx, v, fulltext.Parse(query), skill, 20, 0)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, a := range list {
				out = append(out, a.Username)
			}
			return out
		}
		for _, c := range []struct {
			query, skill string
			want         []string
		}{
			{"müll", "", []string{"anna"}},
			{"anna entwickl", "", []string{"anna"}},
			{"ann", "", []string{"ann", "anna"}},
			{"forschung", "", []string{"anna"}},
			{"project management", "project management", []string{"ann"}},
			{"zzz", "", []string{}},
		} {
			if got := names(c.query, c.skill); !reflect.DeepEqual(got, c.want) {
				t.Errorf("people %q = %v, want %v", c.query, got, c.want)
			}
		}
		// An update to the name is searched at once (trigger on SQLite, index on PostgreSQL).
		anna.DisplayName = "Anna Schmidt"
		if err := s.UpdateAccount(ctx, anna, "display_name"); err != nil {
			t.Fatal(err)
		}
		if got := names("müller", ""); len(got) != 0 {
			t.Errorf("old name found: %v", got)
		}
		if got := names("schmidt", ""); !reflect.DeepEqual(got, []string{"anna"}) {
			t.Errorf("new name: %v", got)
		}
		// Deactivated accounts are not found.
		if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.DeactivateAccount(ctx, anna.ID, t0) }); err != nil {
			t.Fatal(err)
		}
		if got := names("schmidt", ""); len(got) != 0 {
			t.Errorf("deactivated found: %v", got)
		}
		// A remote person is found while their node's directory lists them, as /people shows them.
		rob := &model.Account{ID: newID(t0), Username: "rob", Domain: "127.0.0.1:8082", URI: "http://127.0.0.1:8082/users/rob",
			Role: model.RoleMember, DisplayName: "Rob Remote", CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateAccount(ctx, rob); err != nil {
			t.Fatal(err)
		}
		if got := names("rob", ""); !reflect.DeepEqual(got, []string{"rob"}) {
			t.Errorf("listed remote person: %v", got)
		}
		if err := s.Unlist(ctx, rob.ID); err != nil {
			t.Fatal(err)
		}
		if got := names("rob", ""); len(got) != 0 {
			t.Errorf("unlisted remote person found: %v", got)
		}

		textPost(t, s, ann, model.AudienceSite, "<p>a</p>", "plan", "planning")
		textPost(t, s, ann, model.AudienceSite, "<p>b</p>", "planning")
		textPost(t, s, ann, model.AudienceFollowers, "<p>c</p>", "planet")
		tags, err := s.SearchTags(ctx, v, "plan", storage.TagsPage())
		if err != nil {
			t.Fatal(err)
		}
		want := []storage.TagHit{{Tag: "plan", Posts: 1}, {Tag: "planning", Posts: 2}, {Tag: "planet", Posts: 1}}
		if !reflect.DeepEqual(tags, want) {
			t.Errorf("tags = %+v, want %+v", tags, want)
		}
		// Another member does not see ann's followers post, so not its tag.
		other := local(t, s, "other")
		tags, err = s.SearchTags(ctx, storage.Viewer{AccountID: other.ID}, "plane", storage.TagsPage())
		if err != nil || len(tags) != 0 {
			t.Errorf("hidden tag: %+v %v", tags, err)
		}
	})
}
