package faults

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// peer is a receiving node run inside this process behind a gate that counts, holds,
// slows or refuses its inbox POSTs. Its listener can be closed and opened again on the
// same address: the peer is down, then back, with the same identity.
type peer struct {
	name string
	url  string
	addr string
	node *node.Node
	gate *gate
	db   *nodeDB
	logs *lockedBuffer

	mu     sync.Mutex
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// startPeer runs a peer node named name with its own database (a schema on pgURL for
// PostgreSQL, SQLite in a directory under dir otherwise).
func startPeer(ctx context.Context, name, dialect, pgURL, dir string) (*peer, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, name)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	db, err := newNodeDB(ctx, dialect, pgURL, dataDir)
	if err != nil {
		return nil, err
	}
	cfg := config.Default()
	cfg.Listen, cfg.BaseURL, cfg.DataDir, cfg.DatabaseURL, cfg.SiteName = addr, "http://"+addr, dataDir, db.url, name
	// Bursts of inbox POSTs from one sender are the point here, not the inbox limits.
	cfg.InboxRate = 0
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	runCtx, cancel := context.WithCancel(context.Background())
	n, err := node.Open(runCtx, cfg, log, node.Options{})
	if err != nil {
		cancel()
		db.close()
		return nil, fmt.Errorf("open peer %s: %w", name, err)
	}
	p := &peer{name: name, url: cfg.BaseURL, addr: addr, node: n, gate: newGate(), db: db, cancel: cancel, done: make(chan struct{}), logs: logs}
	go func() {
		defer close(p.done)
		n.Run(runCtx)
	}()
	if err := p.up(); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// allow makes origin an allowed sibling of the peer.
func (p *peer) allow(ctx context.Context, origin, name string) error {
	_, err := p.node.Social.Peers.Add(ctx, social.SystemActor(), origin, model.TrustSibling, name)
	return err
}

// up opens the peer's listener on its address.
func (p *peer) up() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv != nil {
		return nil
	}
	var ln net.Listener
	var err error
	// The port was just freed by down; give the kernel a moment if it is still held.
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("listen %s again: %w", p.addr, err)
	}
	p.srv = &http.Server{Handler: p.gate.wrap(p.node.Handler()), ReadHeaderTimeout: 10 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(p.srv)
	return nil
}

// down closes the listener and every connection: the sender's requests are refused.
func (p *peer) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv == nil {
		return
	}
	_ = p.srv.Close()
	p.srv = nil
}

// close stops the peer and drops its database.
func (p *peer) close() {
	p.gate.release()
	p.down()
	p.cancel()
	<-p.done
	_ = p.node.Close()
	p.db.close()
}

// postsOf counts the peer's posts of the node at origin by URI.
func (p *peer) postsOf(ctx context.Context, origin string) (map[string]int, error) {
	var rows []struct {
		URI string `bun:"uri"`
		N   int    `bun:"n"`
	}
	err := p.node.Store.DB().NewSelect().Table("posts").ColumnExpr("uri, COUNT(*) AS n").
		Where("uri LIKE ?", origin+"/posts/%").Group("uri").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	got := make(map[string]int, len(rows))
	for _, r := range rows {
		got[r.URI] = r.N
	}
	return got, nil
}

// result counts the peer's side against the posts the sender accepted.
func (p *peer) result(ctx context.Context, origin string, sent []string) (PeerResult, error) {
	got, err := p.postsOf(ctx, origin)
	if err != nil {
		return PeerResult{}, err
	}
	r := p.gate.stats()
	r.Name, r.Expected = p.name, len(sent)
	for _, n := range got {
		r.Stored++
		if n > 1 {
			r.Duplicated++
		}
	}
	for _, uri := range sent {
		if got[uri] == 0 {
			r.Lost++
			if len(r.LostURIs) < 5 {
				r.LostURIs = append(r.LostURIs, uri)
			}
		}
	}
	return r, nil
}
