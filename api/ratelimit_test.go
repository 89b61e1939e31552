package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// TestFavouriteRateLimit likes and unlikes past a small per-account budget: the refusal
// is a 429 with Retry-After and leaves the like as it was.
func TestFavouriteRateLimit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		deps := testrig.SocialDeps(t, store)
		deps.Now, deps.PostRate, deps.PostBurst = testrig.NewClock().Now, 30, 2
		e.svc = social.New(deps)
		cfg := config.Default()
		cfg.BaseURL, cfg.DataDir, cfg.MaxBodyBytes = testrig.BaseURL, deps.DataDir, testMaxBody
		e.api = New(Options{Config: cfg, Social: e.svc, Log: slog.New(slog.DiscardHandler)})
		alice, token := e.user("alice", model.RoleMember)
		p, err := e.svc.Posts.Create(t.Context(), alice, social.PostInput{Source: "like me", Audience: model.AudienceCompany})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/statuses/" + p.ID
		wantStatus(t, e.postJSON(token, base+"/favourite", ""), http.StatusOK)
		wantStatus(t, e.postJSON(token, base+"/unfavourite", ""), http.StatusOK)
		w := e.postJSON(token, base+"/favourite", "")
		wantError(t, w, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 || s > 2 {
			t.Fatalf("Retry-After = %q, want 1 or 2 seconds at 30/min", w.Header().Get("Retry-After"))
		}
		if n, err := store.DB().NewSelect().TableExpr("reactions").Count(t.Context()); err != nil || n != 0 {
			t.Fatalf("%d reactions after the refusal (%v)", n, err)
		}
	})
}
