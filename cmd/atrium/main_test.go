package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/storage"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, ctx context.Context, vars map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut syncBuffer
	cmd := newRootCommand(env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return vars[k] }})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

func TestInvalidConfigNamesField(t *testing.T) {
	_, err := runCmd(t, context.Background(), map[string]string{"ATRIUM_BASE_URL": "not a url"}, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "ATRIUM_BASE_URL") {
		t.Fatalf("want error naming ATRIUM_BASE_URL, got %v", err)
	}
}

func TestAdminCommands(t *testing.T) {
	vars := map[string]string{"ATRIUM_DATA_DIR": t.TempDir()}
	ctx := context.Background()
	out, err := runCmd(t, ctx, vars, "", "migrate")
	if err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, err = runCmd(t, ctx, vars, "", "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "a very long password\n", "admin", "user", "create",
		"--username", "ada", "--email", "ada@example.com", "--admin", "--password-stdin")
	if err != nil || !strings.Contains(out, "created ada (admin)") || strings.Contains(out, "password:") {
		t.Fatalf("create admin: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "user", "create", "--username", "bob", "--email", "bob@example.com")
	if err != nil || !regexp.MustCompile(`password: \S{20}`).MatchString(out) {
		t.Fatalf("create member with generated password: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "short\n", "admin", "user", "create", "--username", "cy", "--email", "cy@example.com", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("short password must be refused, got %v", err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "user", "create", "--username", "ada", "--email", "x@example.com"); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("duplicate username must be refused, got %v", err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "token", "create", "--username", "ada")
	if err != nil || !strings.HasPrefix(out, "atr_") {
		t.Fatalf("token: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "token", "create", "--username", "nobody"); err == nil {
		t.Fatal("token for unknown user must fail")
	}
}

func TestServeStartsAndStops(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{"ATRIUM_DATA_DIR": dir, "ATRIUM_LISTEN": "127.0.0.1:0", "ATRIUM_SITE_NAME": "Berlin"}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	cmd := newRootCommand(env{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard,
		getenv: func(k string) string { return vars[k] }})
	cmd.SetArgs([]string{"serve"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	addr := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	var base string
	for i := 0; i < 200 && base == ""; i++ {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not print its address: %q (%v)", out.String(), <-done)
	}
	if !strings.Contains(out.String(), "/setup?token=") {
		t.Errorf("serve without an admin must print a setup link: %q", out.String())
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": http.StatusSeeOther, "/no/such/page": 404} {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s has no request id", path)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}

	// The embedded default: a SQLite file in WAL mode.
	if _, err := os.Stat(filepath.Join(dir, "atrium.db")); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", storage.SQLiteDSN(filepath.Join(dir, "atrium.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
}
