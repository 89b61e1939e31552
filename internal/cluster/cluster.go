// Package cluster starts real Atrium nodes on loopback ports for tests and benchmarks:
// each node has its own database (SQLite file or PostgreSQL schema), its own HTTP server,
// delivery worker and keys, and they federate over real signed HTTP.
package cluster

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// Node is one running node under test.
type Node struct {
	*node.Node
	// Name is the node's site name, e.g. "Berlin".
	Name string
	// URL is the node's origin, http://127.0.0.1:port: its identity.
	URL string
	// Host is host:port, the domain of its users on other nodes.
	Host string

	t      testing.TB
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	logs   *syncBuffer
	stop   sync.Once
}

// Start runs one node per name on dialect ("sqlite" or "postgres") and stops them when
// the test ends. The nodes know nothing of each other until Allow or Connect.
func Start(t testing.TB, dialect string, names ...string) []*Node {
	t.Helper()
	nodes := make([]*Node, len(names))
	for i, name := range names {
		nodes[i] = StartOne(t, dialect, name)
	}
	return nodes
}

// StartOne runs a single node.
func StartOne(t testing.TB, dialect, name string) *Node {
	t.Helper()
	return StartWrapped(t, dialect, name, nil)
}

// StartWrapped runs a single node like StartOne, with its HTTP handler wrapped by wrap
// (nil for none): tests put counting, holding or failing middleware in front of a node.
func StartWrapped(t testing.TB, dialect, name string, wrap func(http.Handler) http.Handler) *Node {
	t.Helper()
	return StartWith(t, dialect, name, Options{Wrap: wrap})
}

// Options are the optional settings of a node under test.
type Options struct {
	// Wrap wraps the node's HTTP handler; nil for none.
	Wrap func(http.Handler) http.Handler
	// Now is the node's clock; nil means time.Now. Nodes that federate must keep within
	// the signatures' allowed skew of each other: give them one Clock.
	Now func() time.Time
}

// StartWith runs a single node with the given options.
func StartWith(t testing.TB, dialect, name string, o Options) *Node {
	t.Helper()
	wrap := o.Wrap
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	cfg := config.Default()
	cfg.Listen = addr
	cfg.BaseURL = "http://" + addr
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = testrig.DatabaseURL(t, dialect)
	cfg.SiteName = name
	// Benchmarks post from one account as fast as they can; the limit has its own tests.
	cfg.PostRate = 0
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	ctx, cancel := context.WithCancel(context.Background())
	n, err := node.Open(ctx, cfg, log, node.Options{NewKey: testrig.Keys(), PasswordParams: testrig.FastPasswords, Now: o.Now})
	if err != nil {
		cancel()
		_ = ln.Close()
		t.Fatalf("open node %s: %v", name, err)
	}
	handler := n.Handler()
	if wrap != nil {
		handler = wrap(handler)
	}
	c := &Node{Node: n, Name: name, URL: cfg.BaseURL, Host: addr, t: t, cancel: cancel, done: make(chan struct{}), logs: logs,
		srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = c.srv.Serve(ln) }()
	go func() {
		defer close(c.done)
		n.Run(ctx)
	}()
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			t.Logf("log of node %s (%s):\n%s", name, c.URL, logs.String())
		}
	})
	return c
}

// Stop shuts the node down: server, worker, database. Safe to call twice.
func (n *Node) Stop() {
	n.stop.Do(func() {
		// Peers may hold idle connections that never sent a request; the server would wait
		// 5 s for them, so give it a second and then close what is left.
		shutdown, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := n.srv.Shutdown(shutdown); err != nil {
			_ = n.srv.Close()
		}
		n.cancel()
		<-n.done
		_ = n.Close()
	})
}

// Logs is what the node has logged so far.
func (n *Node) Logs() string { return n.logs.String() }

// Allow makes other an allowed peer of n with the given trust (one direction only).
func (n *Node) Allow(other *Node, trust model.Trust) {
	n.t.Helper()
	if _, err := n.Social.Peers.Add(context.Background(), social.SystemActor(), other.URL, trust, other.Name); err != nil {
		n.t.Fatalf("%s allows %s: %v", n.Name, other.Name, err)
	}
}

// Connect makes every node a sibling peer of every other.
func Connect(nodes ...*Node) {
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				a.Allow(b, model.TrustSibling)
			}
		}
	}
}

// User creates a member account on n with the fixture password.
func (n *Node) User(username string) *model.Account {
	n.t.Helper()
	return testrig.CreateAccount(n.t, n.Social, username, model.RoleMember)
}

// Find looks up username of node other from n, resolving it over federation if needed.
func (n *Node) Find(other *Node, username string) *model.Account {
	n.t.Helper()
	a, err := n.Social.Accounts.ByHandle(context.Background(), username+"@"+other.Host)
	if err != nil {
		n.t.Fatalf("%s finds %s@%s: %v", n.Name, username, other.Host, err)
	}
	return a
}

// Flush sends every due delivery of n now and waits for the answers.
func (n *Node) Flush() {
	n.t.Helper()
	if _, err := n.Worker.Flush(context.Background()); err != nil {
		n.t.Fatalf("flush %s: %v", n.Name, err)
	}
}

// Eventually polls cond until it holds or a generous deadline passes; federation is
// asynchronous, and tests wait for effects instead of sleeping for fixed times.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Never checks that cond stays false while the nodes flush their queues: what a test
// expects not to arrive has had every chance to.
func Never(t testing.TB, what string, cond func() bool, nodes ...*Node) {
	t.Helper()
	for _, n := range nodes {
		n.Flush()
	}
	if cond() {
		t.Fatalf("unexpected: %s", what)
	}
}

// syncBuffer is a bytes.Buffer safe for the node's concurrent logging.
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

// String names the node in test messages.
func (n *Node) String() string { return fmt.Sprintf("%s (%s)", n.Name, n.URL) }
