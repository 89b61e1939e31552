// Package node wires one Atrium node from its configuration: database, migrations,
// rules, and the HTTP surfaces. cmd/atrium and multi-node tests both start nodes here.
package node

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/api"
	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/server"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/atrium-intranet/atrium/ui"
	"github.com/uptrace/bun"
)

// Options are the parts tests may replace; the zero value is production.
type Options struct {
	Now            func() time.Time
	NewKey         func() (*rsa.PrivateKey, error)
	PasswordParams *argon2id.Params
	// LookupHost replaces DNS for the federation client (tests); nil means the resolver.
	LookupHost func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Node is a running node's parts.
type Node struct {
	Config config.Config
	Store  *storage.Store
	Social *social.Service
	Log    *slog.Logger
	// Setup is the one-time first-admin link, nil when an admin exists.
	Setup *ui.SetupLink
	// Worker sends the delivery queue; Run starts it.
	Worker *federation.Worker
	// Directory reads the sibling nodes' member directories; Run starts its schedule.
	Directory *federation.DirectorySyncer
	handler   http.Handler
}

// Open connects to the database, applies migrations and builds the node.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*Node, error) {
	db, err := storage.Open(cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	n, err := build(ctx, db, cfg, log, opts)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return n, nil
}

func build(ctx context.Context, db *bun.DB, cfg config.Config, log *slog.Logger, opts Options) (*Node, error) {
	applied, err := storage.Migrate(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, name := range applied {
		log.InfoContext(ctx, "migration applied", "name", name)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewKey == nil {
		opts.NewKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	store := storage.New(db)
	uris := model.NewURIs(cfg.BaseURL)

	// Every federation request goes through one client that talks to allowed peers only.
	client := federation.NewHTTPClient(federation.ClientOptions{Peers: store, LookupHost: opts.LookupHost})
	identity, err := federation.LoadNodeIdentity(ctx, store, uris.Base, opts.NewKey, opts.Now)
	if err != nil {
		return nil, err
	}
	nodeSigner, err := identity.Signer(opts.Now)
	if err != nil {
		return nil, err
	}
	worker := federation.NewWorker(federation.WorkerOptions{
		Store: store, Client: client, Log: log, Now: opts.Now, UserAgent: federation.UserAgent, Lease: cfg.DeliveryLease.Duration,
		NodeSigner: func(context.Context) (*federation.Signer, error) { return nodeSigner, nil },
	})
	resolver := &resolverRef{}
	directory := &directoryRef{}
	guests, mail, err := guestDeps(cfg)
	if err != nil {
		return nil, err
	}
	svc := social.New(social.Deps{
		Store: store, URIs: uris, Now: opts.Now, NewKey: opts.NewKey, Log: log,
		DataDir: cfg.DataDir, SiteName: cfg.SiteName, MaxAvatarBytes: cfg.MaxAvatarBytes,
		SessionTTL: cfg.SessionTTL.Duration, PasswordParams: opts.PasswordParams,
		Outbox:   federation.NewOutbox(federation.OutboxOptions{URIs: uris, Log: log, Now: opts.Now, Notify: worker.Notify}),
		Resolver: resolver, GroupResolver: resolver, Wake: worker.Notify,
		DirectorySync: directory,
		GuestSettings: guests, Mailer: mail,
		PostRate: int(cfg.PostRate), PostBurst: int(cfg.PostBurst),
	})
	resolver.r = federation.NewResolver(federation.ResolverOptions{
		Origin: uris.Base, Store: store, Remote: svc.Remote, Client: client, Signer: nodeSigner, Now: opts.Now,
	})
	directory.d = federation.NewDirectorySyncer(resolver.r, log)
	n := &Node{Config: cfg, Store: store, Social: svc, Log: log, Worker: worker, Directory: directory.d}
	hasAdmin, err := svc.Accounts.AdminExists(ctx)
	if err != nil {
		return nil, err
	}
	if !hasAdmin {
		if n.Setup, err = ui.NewSetupLink(); err != nil {
			return nil, err
		}
	}
	web, err := ui.New(ui.Options{Config: cfg, Social: svc, Log: log, Setup: n.Setup})
	if err != nil {
		return nil, fmt.Errorf("build web UI: %w", err)
	}
	fed, err := federation.NewHandler(federation.HandlerOptions{
		Config: cfg, Store: store, Social: svc, Log: log, Client: client, Now: opts.Now, NewKey: opts.NewKey,
		MaxBody: cfg.MaxBodyBytes, Identity: identity, Resolver: resolver.r,
	})
	if err != nil {
		return nil, fmt.Errorf("build federation: %w", err)
	}
	n.handler = (&server.Server{
		DB: store, Log: log, UI: web, Federation: fed,
		API: api.New(api.Options{Config: cfg, Social: svc, Log: log}),
	}).Handler()
	return n, nil
}

// resolverRef breaks the construction cycle between the rules (which look up remote
// accounts) and the federation resolver (which stores them through the rules).
type resolverRef struct{ r *federation.Resolver }

func (x *resolverRef) ResolveAccount(ctx context.Context, handle string) (*model.Account, error) {
	if x.r == nil {
		return nil, social.ErrNotFound
	}
	return x.r.ResolveAccount(ctx, handle)
}

func (x *resolverRef) ResolveGroup(ctx context.Context, handle string) (*model.Group, error) {
	if x.r == nil {
		return nil, social.ErrNotFound
	}
	return x.r.ResolveGroup(ctx, handle)
}

func (x *resolverRef) RefreshGroups(ctx context.Context, origin string) (int, error) {
	if x.r == nil {
		return 0, nil
	}
	return x.r.RefreshGroups(ctx, origin)
}

// Run does the node's background work until ctx ends: the delivery worker, the reads of
// the sibling directories, the end of expired guests every minute and the hourly
// clean-up of expired sessions and old activity ids.
func (n *Node) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Worker.Run(ctx)
	}()
	dirDone := make(chan struct{})
	go func() {
		defer close(dirDone)
		n.runDirectory(ctx)
	}()
	defer func() { <-dirDone }()
	guestsDone := make(chan struct{})
	go func() {
		defer close(guestsDone)
		n.runGuestExpiry(ctx, guestExpiryInterval)
	}()
	defer func() { <-guestsDone }()
	n.Sweep(ctx, time.Hour)
	<-done
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
			now := time.Now().UTC()
			if removed, err := n.Store.DeleteExpiredSessions(ctx, now); err != nil {
				n.Log.WarnContext(ctx, "session sweep failed", "err", err)
			} else if removed > 0 {
				n.Log.InfoContext(ctx, "expired sessions removed", "count", removed)
			}
			// Deliveries give up after 48 hours, so an id older than a week cannot come back.
			if removed, err := n.Store.DeleteProcessedBefore(ctx, now.Add(-7*24*time.Hour)); err != nil {
				n.Log.WarnContext(ctx, "activity id sweep failed", "err", err)
			} else if removed > 0 {
				n.Log.InfoContext(ctx, "old activity ids removed", "count", removed)
			}
		}
	}
}
