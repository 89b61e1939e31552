package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/reqlog"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

func newServer(dbErr error, logs *bytes.Buffer) http.Handler {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		_, _ = w.Write([]byte("ui " + r.URL.Path))
	})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("api")) })
	return (&Server{DB: pinger{dbErr}, Log: slog.New(reqlog.NewHandler(slog.NewTextHandler(logs, nil))), UI: ui, API: api}).Handler()
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name   string
		dbErr  error
		path   string
		status int
		body   string
	}{
		{"health", nil, "/healthz", http.StatusOK, "ok"},
		{"health without database", errors.New("down"), "/healthz", http.StatusOK, "ok"},
		{"ready", nil, "/readyz", http.StatusOK, "ready"},
		{"not ready", errors.New("down"), "/readyz", http.StatusServiceUnavailable, "database unreachable"},
		{"api", nil, "/api/v1/x", http.StatusOK, "api"},
		{"ui", nil, "/people", http.StatusOK, "ui /people"},
		{"panic", nil, "/panic", http.StatusInternalServerError, "internal server error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := httptest.NewRecorder()
			newServer(tc.dbErr, &logs).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
				t.Fatalf("GET %s: %d %q, want %d with %q", tc.path, rec.Code, rec.Body.String(), tc.status, tc.body)
			}
			id := rec.Header().Get("X-Request-Id")
			if id == "" {
				t.Fatal("no X-Request-Id")
			}
			// Health checks are logged at debug level only, to keep probes out of the log.
			if tc.path != "/healthz" && !strings.Contains(logs.String(), "request_id="+id) {
				t.Fatalf("the log does not carry the request id %s:\n%s", id, logs.String())
			}
		})
	}
}
