package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `atrium demo` as a user would (real keys, real password hashing, free
// ports), checks over HTTP what federation delivered and what it must not have, then
// stops it as Ctrl-C does.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four nodes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	cmd := newRootCommand(env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
	cmd.SetArgs([]string{"demo", "--base-port", "0"})
	done := make(chan error, 1)
	started := time.Now()
	go func() { done <- cmd.ExecuteContext(ctx) }()

	waitForDemo(t, "the demo to be ready", 90*time.Second, done, func() bool { return strings.Contains(out.String(), "Press Ctrl-C to stop.") })
	t.Logf("demo ready after %s", time.Since(started).Round(time.Millisecond))
	printed := out.String()
	urls := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(Berlin|Munich|Vienna|Consult)\b.*?(http://127\.0\.0\.1:\d+)\s`).FindAllStringSubmatch(printed, -1) {
		urls[m[1]] = m[2]
	}
	if len(urls) != 4 {
		t.Fatalf("want four node URLs in the output, got %v:\n%s", urls, printed)
	}
	if !strings.Contains(printed, "Password of every account: "+demoPassword) {
		t.Errorf("the output does not show the password:\n%s", printed)
	}
	dir := regexp.MustCompile(`Databases: (\S+) \(removed`).FindStringSubmatch(printed)
	if dir == nil {
		t.Fatalf("the output does not name the temporary directory:\n%s", printed)
	}

	for name, u := range urls {
		resp, err := http.Get(u + "/readyz")
		if err != nil {
			t.Fatalf("%s /readyz: %v", name, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s /readyz: %s", name, resp.Status)
		}
	}

	const (
		welcome  = "Welcome to our federated intranet!" // Alice's company post, Berlin
		kitchen  = "the kitchen on the 3rd floor"       // Clara's site post, Berlin
		roadmap  = "Roadmap review on Thursday"         // Bob's company post, Munich
		workshop = "notes from the cloud workshop"      // Alice's followers post, Berlin
		comment  = "greetings from Munich"              // Bob's comment on the welcome post
	)
	tests := []struct {
		node, user    string
		want, wantNot []string
	}{
		{"Berlin", "alice", []string{welcome, kitchen, roadmap, workshop}, nil},
		{"Munich", "bob", []string{welcome, roadmap, workshop}, []string{kitchen}},
		{"Vienna", "eva", []string{welcome, roadmap, workshop}, []string{kitchen}},
		{"Vienna", "lukas", []string{welcome, roadmap}, []string{workshop, kitchen}},
		// The partner's users are guests: no company, site or followers post of a sibling.
		{"Consult", "pat", nil, []string{welcome, roadmap, kitchen, workshop}},
	}
	for _, tt := range tests {
		t.Run(tt.node+"/"+tt.user, func(t *testing.T) {
			page := demoFeed(t, urls[tt.node], tt.user)
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("%s's feed on %s lacks %q", tt.user, tt.node, s)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(page, s) {
					t.Errorf("%s's feed on %s shows %q", tt.user, tt.node, s)
				}
			}
		})
	}
	// Bob's comment, written in Munich, reached Vienna with the company post it answers.
	viennaPost := demoPostPage(t, urls["Vienna"], "eva", welcome)
	if !strings.Contains(viennaPost, comment) {
		t.Errorf("the welcome post on Vienna lacks Bob's comment from Munich:\n%s", viennaPost)
	}

	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the demo ended with %v\nstderr:\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop within 30 s of its context ending")
	}
	t.Logf("stopped in %s", time.Since(stopped).Round(time.Millisecond))
	if !strings.Contains(out.String(), "Stopping the nodes...") {
		t.Errorf("no stop message:\n%s", out.String())
	}
	if _, err := os.Stat(dir[1]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary directory %s is still there (%v)", dir[1], err)
	}
	if _, err := http.Get(urls["Berlin"] + "/readyz"); err == nil {
		t.Errorf("Berlin still answers after the demo stopped")
	}
	if s := errOut.String(); strings.Contains(s, "level=ERROR") || strings.Contains(s, "level=WARN") || strings.Contains(s, "warning:") {
		t.Errorf("the nodes logged problems:\n%s", s)
	}
}

// TestDemoKeepsDir runs the demo in a given directory, which outlives it with one
// database per node and a hint how to serve one again.
func TestDemoKeepsDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four nodes")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	cmd := newRootCommand(env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
	cmd.SetArgs([]string{"demo", "--base-port", "0", "--dir", dir})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	waitForDemo(t, "the demo to be ready", 90*time.Second, done, func() bool { return strings.Contains(out.String(), "Press Ctrl-C to stop.") })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the demo ended with %v\nstderr:\n%s", err, errOut.String())
	}
	for _, site := range []string{"berlin", "munich", "vienna", "consult"} {
		if _, err := os.Stat(filepath.Join(dir, site, "atrium.db")); err != nil {
			t.Errorf("database of %s: %v", site, err)
		}
	}
	printed := out.String()
	for _, want := range []string{"(kept when the demo stops)", "The databases are kept in " + dir, "ATRIUM_DATA_DIR=" + filepath.Join(dir, "berlin") + " ATRIUM_LISTEN=127.0.0.1:"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the output lacks %q:\n%s", want, printed)
		}
	}
}

// TestDemoRefuses covers the start-up errors, which come before any node starts.
func TestDemoRefuses(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	used := t.TempDir()
	if err := os.MkdirAll(filepath.Join(used, "munich"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(used, "munich", "atrium.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"busy port", []string{"--base-port", strconv.Itoa(busyPort)}, "port " + strconv.Itoa(busyPort) + " (for Berlin) is already in use"},
		{"negative port", []string{"--base-port", "-1"}, "--base-port must be"},
		{"port too high", []string{"--base-port", "65534"}, "--base-port must be"},
		{"log level", []string{"--log-level", "loud"}, "--log-level must be"},
		{"used directory", []string{"--dir", used}, "choose an empty --dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCmd(t, context.Background(), nil, "", append([]string{"demo"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v (output %q)", tt.want, err, out)
			}
		})
	}
}

// waitForDemo polls cond until it holds, failing when the deadline passes or the command
// ends first.
func waitForDemo(t *testing.T, what string, timeout time.Duration, done <-chan error, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("the command ended while waiting for %s: %v", what, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// demoLogin logs user in at base through the login form and returns the client holding
// the session cookie.
func demoLogin(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	form := demoGet(t, client, base+"/login")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no csrf field on %s/login", base)
	}
	resp, err := client.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("log in as %s at %s: %s, ended at %s", user, base, resp.Status, resp.Request.URL)
	}
	return client
}

// demoGet fetches u and returns the body of a 200 answer.
func demoGet(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	return string(body)
}

// demoFeed is the home feed of user at base, as the browser gets it.
func demoFeed(t *testing.T, base, user string) string {
	t.Helper()
	return demoGet(t, demoLogin(t, base, user), base+"/")
}

// demoPostPage opens, as user at base, the page of the feed post containing text.
func demoPostPage(t *testing.T, base, user, text string) string {
	t.Helper()
	client := demoLogin(t, base, user)
	feed := demoGet(t, client, base+"/")
	i := strings.Index(feed, text)
	if i < 0 {
		t.Fatalf("no post with %q on %s", text, base)
	}
	// The post's permalink (on its date) is the last one before its text.
	var link string
	for _, l := range regexp.MustCompile(`href="(/posts/[0-9A-Z]{26})"`).FindAllStringSubmatchIndex(feed, -1) {
		if l[0] < i {
			link = feed[l[2]:l[3]]
		}
	}
	if link == "" {
		t.Fatalf("no post link before %q on %s", text, base)
	}
	return demoGet(t, client, base+link)
}
