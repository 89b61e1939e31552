package testrig

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// BaseURL is the origin test services pretend to live at.
const BaseURL = "http://127.0.0.1:8080"

// FastPasswords are argon2id parameters cheap enough for tests; production uses the
// library defaults.
var FastPasswords = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password is the password of every fixture account.
const Password = "correct horse battery"

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed time.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time and moves it forward a millisecond, so ids stay ordered.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// SocialDeps returns dependencies for a rules layer over store with fast keys and
// passwords and a temporary data directory.
func SocialDeps(t testing.TB, store *storage.Store) social.Deps {
	return social.Deps{
		Store: store, URIs: model.NewURIs(BaseURL), NewKey: Keys(), DataDir: t.TempDir(),
		SiteName: "Berlin", PasswordParams: FastPasswords,
	}
}

// Social returns a rules layer over store.
func Social(t testing.TB, store *storage.Store) *social.Service {
	return social.New(SocialDeps(t, store))
}

// CreateAccount makes a local account with the fixture password, failing the test on error.
func CreateAccount(t testing.TB, svc *social.Service, username string, role model.Role) *model.Account {
	t.Helper()
	a, err := svc.Accounts.Create(context.Background(), social.NewAccount{
		Username: username, Email: username + "@example.com", Password: Password, DisplayName: username, Role: role,
	})
	if err != nil {
		t.Fatalf("create account %s: %v", username, err)
	}
	return a
}
