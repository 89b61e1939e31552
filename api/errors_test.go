package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		wantStatus  int
		wantMsg     string
		wantDetails map[string]string
	}{
		{"not found", social.ErrNotFound, 404, "Record not found", nil},
		{"wrapped not found", fmt.Errorf("post x: %w", social.ErrNotFound), 404, "Record not found", nil},
		{"forbidden", fmt.Errorf("delete: %w", social.ErrForbidden), 403, "This action is not allowed", nil},
		{"rate limited", social.ErrRateLimited, 429, "Too many requests", nil},
		{"too large", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, "Request body too large", nil},
		{"api error", newError(http.StatusBadRequest, "Malformed request body"), 400, "Malformed request body", nil},
		{"validation renamed", fmt.Errorf("create: %w", &social.ValidationError{Fields: map[string]string{
			"source": "error.post.empty", "audience": "error.post.audience", "in_reply_to_id": "error.post.parent_missing",
		}}), 422, "Validation failed: in_reply_to_id: error.post.parent_missing, status: error.post.empty, visibility: error.post.audience",
			map[string]string{"status": "error.post.empty", "visibility": "error.post.audience", "in_reply_to_id": "error.post.parent_missing"}},
		{"cursor renamed", &social.ValidationError{Fields: map[string]string{"cursor": "error.cursor"}}, 422,
			"Validation failed: max_id: error.cursor", map[string]string{"max_id": "error.cursor"}},
		{"internal", errors.New("pq: relation \"posts\" does not exist"), 500, "Internal server error", nil},
		{"database outage", fmt.Errorf("feed: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), 503,
			"The service is briefly unavailable; try again shortly", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := classify(c.err)
			if got.status != c.wantStatus || got.msg != c.wantMsg {
				t.Errorf("classify = %d %q, want %d %q", got.status, got.msg, c.wantStatus, c.wantMsg)
			}
			if fmt.Sprint(got.details) != fmt.Sprint(c.wantDetails) && !(len(got.details) == 0 && len(c.wantDetails) == 0) {
				t.Errorf("details = %v, want %v", got.details, c.wantDetails)
			}
		})
	}
}

func TestFailAnswersAndLogs(t *testing.T) {
	cases := []struct {
		err       error
		status    int
		wantLevel string
	}{
		{social.ErrNotFound, 404, "level=INFO"},
		{&social.ValidationError{Fields: map[string]string{"source": "error.post.empty"}}, 422, "level=INFO"},
		{social.ErrForbidden, 403, "level=WARN"},
		{social.ErrRateLimited, 429, "level=WARN"},
		{&http.MaxBytesError{Limit: 1}, 413, "level=WARN"},
		{errors.New("disk on fire"), 500, "level=ERROR"},
		{fmt.Errorf("disk on fire: %w", syscall.ECONNREFUSED), 503, "level=ERROR"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			logs := &syncBuffer{}
			h := &handler{log: slog.New(slog.NewTextHandler(logs, nil))}
			w := httptest.NewRecorder()
			h.fail(w, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil), c.err)
			if w.Code != c.status {
				t.Errorf("status = %d, want %d", w.Code, c.status)
			}
			if retry := w.Header().Get("Retry-After"); (c.status == 503 || c.status == 429) != (retry != "") ||
				(c.status == 503 && retry != "5") {
				t.Errorf("Retry-After = %q", retry)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if strings.Contains(w.Body.String(), "disk on fire") {
				t.Errorf("internal error leaked: %s", w.Body)
			}
			if !strings.Contains(logs.String(), c.wantLevel) || !strings.Contains(logs.String(), "path=/api/v1/x") {
				t.Errorf("log = %q, want %s", logs, c.wantLevel)
			}
		})
	}
}

func TestDefaultBodyLimit(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		// A configuration without a body limit falls back to 64 KiB.
		e.api = New(Options{Config: config.Config{BaseURL: testrig.BaseURL}, Social: e.svc})
		cases := []struct {
			size int
			want int
		}{
			{defaultMaxBody + 1, http.StatusRequestEntityTooLarge},
			{defaultMaxBody - 100, http.StatusUnprocessableEntity}, // within the limit, too long a post
		}
		for _, c := range cases {
			t.Run(fmt.Sprint(c.size), func(t *testing.T) {
				body := `{"status":"` + strings.Repeat("x", c.size-len(`{"status":""}`)) + `"}`
				w := e.postJSON(token, "/api/v1/statuses", body)
				wantError(t, w, c.want)
			})
		}
		if n := e.countPosts(alice); n != 0 {
			t.Errorf("%d posts created", n)
		}
	})
}
