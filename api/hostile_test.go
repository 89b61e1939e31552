package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestStatusCreateDeepJSON(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		deep := `{"status":"x","poll":` + strings.Repeat(`{"a":`, 1000) + `1` + strings.Repeat(`}`, 1000) + `}`
		w := e.postJSON(token, "/api/v1/statuses", deep)
		wantError(t, w, http.StatusBadRequest)
		if n := e.countPosts(alice); n != 0 {
			t.Fatalf("%d posts stored from a refused request", n)
		}
	})
}

func TestStatusCreateRateLimit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		// The same API over a rules layer with a small posting budget.
		deps := testrig.SocialDeps(t, store)
		deps.Now, deps.PostRate, deps.PostBurst = testrig.NewClock().Now, 30, 2
		e.svc = social.New(deps)
		cfg := config.Default()
		cfg.BaseURL, cfg.DataDir, cfg.MaxBodyBytes = testrig.BaseURL, deps.DataDir, testMaxBody
		e.api = New(Options{Config: cfg, Social: e.svc, Log: slog.New(slog.DiscardHandler)})
		alice, token := e.user("alice", model.RoleMember)
		for i := 0; i < 2; i++ {
			wantStatus(t, e.postJSON(token, "/api/v1/statuses", `{"status":"hello"}`), http.StatusOK)
		}
		w := e.postJSON(token, "/api/v1/statuses", `{"status":"one too many"}`)
		wantError(t, w, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 || s > 2 {
			t.Fatalf("Retry-After = %q, want 1 or 2 seconds at 30/min", w.Header().Get("Retry-After"))
		}
		if n := e.countPosts(alice); n != 2 {
			t.Fatalf("%d posts stored, want the 2 allowed", n)
		}
	})
}
