package testrig

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// Rig is one test's rules layer over a migrated store, driven by a settable clock.
type Rig struct {
	Store *storage.Store
	Clock *Clock
	Deps  social.Deps
	Svc   *social.Service
}

// NewRig returns a rules layer over store whose clock is a fresh Clock.
func NewRig(t testing.TB, store *storage.Store) *Rig {
	t.Helper()
	clock := NewClock()
	deps := SocialDeps(t, store)
	deps.Now = clock.Now
	return &Rig{Store: store, Clock: clock, Deps: deps, Svc: social.New(deps)}
}

// InsertRemoteAccount stores a cached remote actor directly, as federation will, for
// tests that need accounts of another node.
func InsertRemoteAccount(t testing.TB, store *storage.Store, username, domain string) *model.Account {
	t.Helper()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	base := "http://" + domain + "/users/" + username
	a := &model.Account{
		ID: "REMOTE" + randomHex(10), Username: username, Domain: domain, URI: base,
		InboxURI: base + "/inbox", SharedInboxURI: "http://" + domain + "/inbox",
		Role: model.RoleMember, DisplayName: username, CreatedAt: now, UpdatedAt: now,
	}
	if err := store.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("insert remote account %s@%s: %v", username, domain, err)
	}
	return a
}

// Peek returns the clock's time without moving it; the next Now returns Peek plus a
// millisecond.
func (c *Clock) Peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// NextNowAt moves the clock so that its next Now returns t.
func (c *Clock) NextNowAt(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.Add(-time.Millisecond)
}
