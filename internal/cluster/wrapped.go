package cluster

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/internal/testrig"
)

// StartWrapped runs a single node like StartOne, with its HTTP handler wrapped by wrap:
// tests put counting, holding or failing middleware in front of a real node.
func StartWrapped(t testing.TB, dialect, name string, wrap func(http.Handler) http.Handler) *Node {
	t.Helper()
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
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	ctx, cancel := context.WithCancel(context.Background())
	n, err := node.Open(ctx, cfg, log, node.Options{NewKey: testrig.Keys(), PasswordParams: testrig.FastPasswords})
	if err != nil {
		cancel()
		_ = ln.Close()
		t.Fatalf("open node %s: %v", name, err)
	}
	c := &Node{Node: n, Name: name, URL: cfg.BaseURL, Host: addr, t: t, cancel: cancel, done: make(chan struct{}), logs: logs,
		srv: &http.Server{Handler: wrap(n.Handler()), ReadHeaderTimeout: 10 * time.Second}}
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
