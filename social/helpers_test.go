package social_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// env is one test's rules layer with a clock, over one database.
type env struct {
	t     *testing.T
	ctx   context.Context
	store *storage.Store
	svc   *social.Service
	clock *testrig.Clock
	deps  social.Deps
}

func newEnv(t *testing.T, store *storage.Store) *env {
	t.Helper()
	r := testrig.NewRig(t, store)
	return &env{t: t, ctx: context.Background(), store: store, svc: r.Svc, clock: r.Clock, deps: r.Deps}
}

// eachEnv runs fn on SQLite and PostgreSQL, each on a fresh database.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		fn(t, newEnv(t, store))
	})
}

func (e *env) member(name string) *model.Account {
	e.t.Helper()
	return testrig.CreateAccount(e.t, e.svc, name, model.RoleMember)
}

func (e *env) admin(name string) *model.Account {
	e.t.Helper()
	return testrig.CreateAccount(e.t, e.svc, name, model.RoleAdmin)
}

func (e *env) guest(name string) *model.Account {
	e.t.Helper()
	return testrig.CreateAccount(e.t, e.svc, name, model.RoleGuest)
}

// reload reads an account again from the database.
func (e *env) reload(a *model.Account) *model.Account {
	e.t.Helper()
	got, err := e.svc.Accounts.ByID(e.ctx, a.ID)
	if err != nil {
		e.t.Fatalf("reload %s: %v", a.Username, err)
	}
	return got
}

func (e *env) follow(follower, followee *model.Account) {
	e.t.Helper()
	if err := e.svc.Follows.Follow(e.ctx, follower, followee.ID); err != nil {
		e.t.Fatalf("%s follows %s: %v", follower.Username, followee.Username, err)
	}
}

func (e *env) post(author *model.Account, src string, aud model.Audience) *model.Post {
	e.t.Helper()
	p, err := e.svc.Posts.Create(e.ctx, author, social.PostInput{Source: src, Audience: aud})
	if err != nil {
		e.t.Fatalf("post by %s: %v", author.Username, err)
	}
	return p
}

func (e *env) comment(author *model.Account, parentID, src string) *model.Post {
	e.t.Helper()
	p, err := e.svc.Posts.Create(e.ctx, author, social.PostInput{Source: src, InReplyToID: parentID})
	if err != nil {
		e.t.Fatalf("comment by %s on %s: %v", author.Username, parentID, err)
	}
	return p
}

// count counts rows of a table matching where.
func (e *env) count(table, where string, args ...any) int {
	e.t.Helper()
	n, err := e.store.DB().NewSelect().TableExpr(table).Where(where, args...).Count(e.ctx)
	if err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// wantFields fails unless err is a ValidationError with exactly the given fields.
func wantFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want no error, got %v", err)
		}
		return
	}
	ve, ok := social.AsValidation(err)
	if !ok {
		t.Fatalf("want validation error %v, got %v", want, err)
	}
	if !reflect.DeepEqual(ve.Fields, want) {
		t.Fatalf("validation fields = %v, want %v", ve.Fields, want)
	}
}

// wantErr fails unless err is (or wraps) target.
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("want error %v, got %v", target, err)
	}
}

func fields(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func usernames(list []*model.Account) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, a.Username)
	}
	return out
}

func (e *env) tokenByID(accountID, id string) *model.Token {
	e.t.Helper()
	list, err := e.svc.Tokens.List(e.ctx, accountID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tok := range list {
		if tok.ID == id {
			return tok
		}
	}
	e.t.Fatalf("token %s of %s not listed", id, accountID)
	return nil
}

func (e *env) insertRemote(username string) *model.Account {
	e.t.Helper()
	return testrig.InsertRemoteAccount(e.t, e.store, username, "127.0.0.1:8081")
}

// postTags returns the stored hashtags of a post, sorted.
func (e *env) postTags(postID string) []string {
	e.t.Helper()
	tags := []string{}
	err := e.store.DB().NewSelect().Table("post_tags").Column("tag").Where("post_id = ?", postID).Order("tag").Scan(e.ctx, &tags)
	if err != nil {
		e.t.Fatal(err)
	}
	return tags
}

// postMentions returns the usernames of the accounts a post mentions, sorted.
func (e *env) postMentions(postID string) []string {
	e.t.Helper()
	names := []string{}
	err := e.store.DB().NewSelect().TableExpr("mentions AS m").Join("JOIN accounts AS a ON a.id = m.account_id").
		ColumnExpr("a.username").Where("m.post_id = ?", postID).OrderExpr("a.username").Scan(e.ctx, &names)
	if err != nil {
		e.t.Fatal(err)
	}
	return names
}
