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

func TestNegotiation(t *testing.T) {
	fed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ap " + r.URL.Path)) })
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ui " + r.URL.Path)) })
	h := (&Server{DB: pinger{}, Log: slog.New(slog.DiscardHandler), UI: ui, API: ui, Federation: fed}).Handler()
	tests := []struct {
		method, path, accept, contentType, want string
	}{
		{"GET", "/users/alice", "text/html", "", "ui /users/alice"},
		{"GET", "/users/alice", "application/activity+json", "", "ap /users/alice"},
		{"GET", "/posts/1", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, "", "ap /posts/1"},
		{"GET", "/posts/1", "text/html, application/activity+json;q=0.9", "", "ap /posts/1"},
		{"POST", "/inbox", "", "application/activity+json", "ap /inbox"},
		{"POST", "/users/alice/inbox", "", "application/ld+json", "ap /users/alice/inbox"},
		{"GET", "/.well-known/webfinger", "", "", "ap /.well-known/webfinger"},
		{"GET", "/nodeinfo/2.1", "", "", "ap /nodeinfo/2.1"},
		{"GET", "/actor", "", "", "ap /actor"},
		{"GET", "/people", "", "", "ui /people"},
		{"POST", "/posts", "", "application/x-www-form-urlencoded", "ui /posts"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Body.String() != tc.want {
			t.Errorf("%s %s (Accept %q): %q, want %q", tc.method, tc.path, tc.accept, rec.Body.String(), tc.want)
		}
	}
}

// TestSignedRequestsGoToFederation sends every request that carries an HTTP signature to
// federation, whatever it accepts: a peer's signed fetch of a picture asks for an image.
func TestSignedRequestsGoToFederation(t *testing.T) {
	fed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ap " + r.URL.Path)) })
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ui " + r.URL.Path)) })
	h := (&Server{DB: pinger{}, Log: slog.New(slog.DiscardHandler), UI: ui, API: ui, Federation: fed}).Handler()
	for _, tc := range []struct{ signature, want string }{
		{`keyId="http://b.example/actor#main-key",signature="x"`, "ap /avatars/A.png"},
		{"", "ui /avatars/A.png"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/avatars/A.png", nil)
		req.Header.Set("Accept", "image/png")
		if tc.signature != "" {
			req.Header.Set("Signature", tc.signature)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Body.String() != tc.want {
			t.Errorf("GET /avatars/A.png (Signature %q): %q, want %q", tc.signature, rec.Body.String(), tc.want)
		}
	}
}
