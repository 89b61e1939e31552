package storage_test

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

var ctx = context.Background()

// t0 is the fixtures' clock start.
var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

var (
	idMu      sync.Mutex
	idEntropy = ulid.Monotonic(rand.Reader, 0)
)

// newID returns a ULID at t; ids made in a row at the same t still increase.
func newID(t time.Time) string {
	idMu.Lock()
	defer idMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(t), idEntropy).String()
}

// local stores a local account.
func local(t *testing.T, s *storage.Store, username string) *model.Account {
	t.Helper()
	a := &model.Account{
		ID: newID(t0), Username: username, URI: "http://127.0.0.1:8080/users/" + username,
		Role: model.RoleMember, Email: username + "@example.com", DisplayName: username,
		CreatedAt: t0, UpdatedAt: t0,
	}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return a
}

// post stores a top-level post at t, or a comment when parent is set.
func post(t *testing.T, s *storage.Store, author *model.Account, aud model.Audience, at time.Time, parent *model.Post, tags ...string) *model.Post {
	t.Helper()
	p := &model.Post{ID: newID(at), AccountID: author.ID, Audience: aud, Source: "src", HTML: "<p>src</p>",
		Local: true, CreatedAt: at, UpdatedAt: at}
	p.URI = "http://127.0.0.1:8080/posts/" + p.ID
	if parent != nil {
		root := parent.ID
		if parent.RootID != nil {
			root = *parent.RootID
		}
		p.InReplyToID, p.RootID, p.Audience = &parent.ID, &root, parent.Audience
	}
	if err := s.InTx(ctx, func(tx *storage.Store) error { return tx.CreatePost(ctx, p, nil, tags) }); err != nil {
		t.Fatalf("create post: %v", err)
	}
	return p
}

func follow(t *testing.T, s *storage.Store, follower, followee *model.Account, accepted bool) {
	t.Helper()
	err := s.CreateFollow(ctx, &model.Follow{FollowerID: follower.ID, FolloweeID: followee.ID,
		URI: follower.URI + "/follows/" + newID(t0), Accepted: accepted, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, s *storage.Store, table, where string, args ...any) int {
	t.Helper()
	n, err := s.DB().NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("want %v, got %v", target, err)
	}
}

func ids(posts []*model.Post) []string {
	out := []string{}
	for _, p := range posts {
		out = append(out, p.ID)
	}
	return out
}
