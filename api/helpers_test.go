package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// testMaxBody is the body limit the test API runs with.
const testMaxBody = 64 << 10

// env is one API over a fresh database, with helpers to make users and call endpoints.
type env struct {
	t     *testing.T
	store *storage.Store
	svc   *social.Service
	api   http.Handler
	logs  *syncBuffer
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newEnv(t *testing.T, store *storage.Store) *env {
	t.Helper()
	deps := testrig.SocialDeps(t, store)
	deps.Now = testrig.NewClock().Now
	svc := social.New(deps)
	logs := &syncBuffer{}
	cfg := config.Default()
	cfg.BaseURL = testrig.BaseURL
	cfg.DataDir = deps.DataDir
	cfg.MaxBodyBytes = testMaxBody
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return &env{t: t, store: store, svc: svc, logs: logs,
		api: New(Options{Config: cfg, Social: svc, Log: log})}
}

// user makes an account and a token for it.
func (e *env) user(name string, role model.Role) (*model.Account, string) {
	e.t.Helper()
	acct := testrig.CreateAccount(e.t, e.svc, name, role)
	token, _, err := e.svc.Tokens.Create(context.Background(), acct.ID, "test")
	if err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	return acct, token
}

// post publishes a post directly through social.
func (e *env) post(author *model.Account, source string, audience model.Audience) *model.Post {
	e.t.Helper()
	p, err := e.svc.Posts.Create(context.Background(), author, social.PostInput{Source: source, Audience: audience})
	if err != nil {
		e.t.Fatalf("create post: %v", err)
	}
	return p
}

// follow makes a follow b.
func (e *env) follow(a, b *model.Account) {
	e.t.Helper()
	if err := e.svc.Follows.Follow(context.Background(), a, b.ID); err != nil {
		e.t.Fatalf("follow: %v", err)
	}
}

// request is one call to the API.
type request struct {
	method, path, token string
	// authorization, when set, is sent as the Authorization header instead of token.
	authorization string
	contentType   string
	body          string
	header        http.Header // more headers
}

// do runs the request and checks what every API answer must have.
func (e *env) do(rq request) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	switch {
	case rq.authorization != "":
		r.Header.Set("Authorization", rq.authorization)
	case rq.token != "":
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	if rq.contentType != "" {
		r.Header.Set("Content-Type", rq.contentType)
	}
	for k, v := range rq.header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.api.ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		e.t.Errorf("%s %s: Content-Type = %q", rq.method, rq.path, ct)
	}
	if !json.Valid(w.Body.Bytes()) {
		e.t.Errorf("%s %s: body is not JSON: %s", rq.method, rq.path, w.Body)
	}
	return w
}

// get, postJSON and del are shorthands for common calls.
func (e *env) get(token, path string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(request{method: http.MethodGet, path: path, token: token})
}

func (e *env) postJSON(token, path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(request{method: http.MethodPost, path: path, token: token, contentType: "application/json", body: body})
}

func (e *env) del(token, path string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(request{method: http.MethodDelete, path: path, token: token})
}

// countPosts counts an account's posts and comments in the database.
func (e *env) countPosts(acct *model.Account) int {
	e.t.Helper()
	c, err := e.store.CountsOfAccount(context.Background(), acct.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Posts
}

// wantStatus fails the test unless w has the status code.
func wantStatus(t *testing.T, w *httptest.ResponseRecorder, code int) {
	t.Helper()
	if w.Code != code {
		t.Fatalf("status = %d, want %d; body %s", w.Code, code, w.Body)
	}
}

// decode reads the JSON body into v.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

// wantError checks an error answer: status code and a readable "error" string.
func wantError(t *testing.T, w *httptest.ResponseRecorder, code int) errorBody {
	t.Helper()
	wantStatus(t, w, code)
	b := decode[errorBody](t, w)
	if b.Error == "" {
		t.Fatalf("error answer without message: %s", w.Body)
	}
	return b
}
