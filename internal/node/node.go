// Package node wires one Atrium node from its configuration: database, migrations,
// rules, and the HTTP surfaces. cmd/atrium and multi-node tests both start nodes here.
package node

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/api"
	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/server"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/atrium-intranet/atrium/ui"
)

// Options are the parts tests may replace; the zero value is production.
type Options struct {
	Now            func() time.Time
	NewKey         func() (*rsa.PrivateKey, error)
	PasswordParams *argon2id.Params
}

// Node is a running node's parts.
type Node struct {
	Config config.Config
	Store  *storage.Store
	Social *social.Service
	Log    *slog.Logger
	// Setup is the one-time first-admin link, nil when an admin exists.
	Setup   *ui.SetupLink
	handler http.Handler
}

// Open connects to the database, applies migrations and builds the node.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*Node, error) {
	db, err := storage.Open(cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	applied, err := storage.Migrate(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	for _, name := range applied {
		log.InfoContext(ctx, "migration applied", "name", name)
	}
	store := storage.New(db)
	svc := social.New(social.Deps{
		Store: store, URIs: model.NewURIs(cfg.BaseURL), Now: opts.Now, NewKey: opts.NewKey, Log: log,
		DataDir: cfg.DataDir, SiteName: cfg.SiteName, MaxAvatarBytes: cfg.MaxAvatarBytes,
		SessionTTL: cfg.SessionTTL.Duration, PasswordParams: opts.PasswordParams,
	})
	n := &Node{Config: cfg, Store: store, Social: svc, Log: log}
	hasAdmin, err := svc.Accounts.AdminExists(ctx)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if !hasAdmin {
		if n.Setup, err = ui.NewSetupLink(); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	web, err := ui.New(ui.Options{Config: cfg, Social: svc, Log: log, Setup: n.Setup})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("build web UI: %w", err)
	}
	n.handler = (&server.Server{
		DB: store, Log: log, UI: web,
		API: api.New(api.Options{Config: cfg, Social: svc, Log: log}),
	}).Handler()
	return n, nil
}

// Handler is the node's root HTTP handler.
func (n *Node) Handler() http.Handler { return n.handler }

// Close releases the database.
func (n *Node) Close() error { return n.Store.Close() }

// Sweep removes expired sessions every interval until ctx ends.
func (n *Node) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if removed, err := n.Store.DeleteExpiredSessions(ctx, time.Now().UTC()); err != nil {
				n.Log.WarnContext(ctx, "session sweep failed", "err", err)
			} else if removed > 0 {
				n.Log.InfoContext(ctx, "expired sessions removed", "count", removed)
			}
		}
	}
}
