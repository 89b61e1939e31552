package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/model"
	"github.com/spf13/cobra"
)

// demoFlags are the options of `atrium demo`.
type demoFlags struct {
	basePort int
	dir      string
	keep     bool
	logLevel string
}

// demoCommand runs four federated nodes in this process: the quickest way to see
// federation work.
func demoCommand(e env) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run four federated demo nodes on loopback (Berlin, Munich, Vienna and partner Consult)",
		Long: "Start three sibling nodes (Berlin, Munich, Vienna) and one partner node (Consult) in this " +
			"process on 127.0.0.1, each with its own SQLite database, allow them as peers, seed people, " +
			"follows, posts, a comment and likes, wait until federation has delivered them, and print " +
			"the URLs and logins. Ctrl-C stops the nodes. For trying Atrium out only.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), e, f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.basePort, "base-port", 8081, "first of four consecutive ports on 127.0.0.1 (0 picks any free ports)")
	fl.StringVar(&f.dir, "dir", "", "directory for the nodes' databases, kept on exit (default: a temporary directory, removed on exit)")
	fl.BoolVar(&f.keep, "keep", false, "keep the temporary directory on exit")
	fl.StringVar(&f.logLevel, "log-level", "warn", "log level of the nodes: debug, info, warn or error")
	return cmd
}

// demoNode is one running node of the demo.
type demoNode struct {
	site *demoSite
	// url is the node's origin (its identity) and host its host:port.
	url, host string
	dir       string
	ln        net.Listener
	n         *node.Node
	srv       *http.Server
	// accounts are the node's seeded local accounts by username.
	accounts map[string]*model.Account
}

// demoCluster is the demo's nodes and how to stop them.
type demoCluster struct {
	nodes          []*demoNode
	stopBackground context.CancelFunc
	background     sync.WaitGroup
	serveErr       chan error
}

// runDemo starts the nodes, seeds them, waits for federation and runs until ctx ends.
// The nodes are production nodes: real RSA keys, real password hashing.
func runDemo(ctx context.Context, e env, f demoFlags) (err error) {
	world := newDemoWorld()
	if f.basePort < 0 || f.basePort > 65536-len(world.sites) {
		return fmt.Errorf("--base-port must be 0 (any free ports) or 1 to %d", 65536-len(world.sites))
	}
	switch f.logLevel {
	case "debug", "info", "warn", "error":
	default:
		return errors.New("--log-level must be debug, info, warn or error")
	}
	dir, remove, err := demoDir(f, world)
	if err != nil {
		return err
	}
	c := &demoCluster{serveErr: make(chan error, len(world.sites))}
	defer func() {
		if !remove {
			c.printKept(e.stdout, dir)
			return
		}
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			err = fmt.Errorf("remove %s: %w", dir, rmErr)
		}
	}()
	if err := c.listen(world, f.basePort, dir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Starting %d Atrium nodes with their databases in %s (generating RSA keys takes a few seconds)...\n", len(c.nodes), dir)
	if err := c.open(ctx, e, f.logLevel); err != nil {
		c.release()
		if ctx.Err() != nil {
			return nil // interrupted while starting
		}
		return err
	}
	c.start()
	defer func() {
		if stopErr := c.stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()

	fmt.Fprintln(e.stdout, "Seeding people, peers, follows, posts, comments and likes, and waiting for federation to deliver them...")
	started := time.Now()
	failed, err := c.seed(ctx, world)
	if ctx.Err() != nil {
		return nil // interrupted while seeding: stop quietly
	}
	if err != nil {
		return fmt.Errorf("seed the demo: %w", err)
	}
	fmt.Fprintf(e.stdout, "Seeded and delivered in %s.\n\n", time.Since(started).Round(100*time.Millisecond))
	if failed > 0 {
		fmt.Fprintf(e.stderr, "warning: %d deliveries failed; run with --log-level info to see why\n", failed)
	}
	if err := c.printSummary(e.stdout, dir, remove); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(e.stdout, "\nStopping the nodes...")
		return nil
	case err := <-c.serveErr:
		return fmt.Errorf("a demo node stopped serving: %w", err)
	}
}

// demoDir returns the directory for the nodes' data and whether to remove it on exit.
// A given directory must not hold a demo already: the demo seeds from scratch.
func demoDir(f demoFlags, world demoWorld) (string, bool, error) {
	if f.dir == "" {
		dir, err := os.MkdirTemp("", "atrium-demo-")
		if err != nil {
			return "", false, fmt.Errorf("create a temporary directory: %w", err)
		}
		return dir, !f.keep, nil
	}
	dir, err := filepath.Abs(f.dir)
	if err != nil {
		return "", false, fmt.Errorf("--dir %s: %w", f.dir, err)
	}
	for _, s := range world.sites {
		db := filepath.Join(dir, strings.ToLower(s.name), "atrium.db")
		if _, err := os.Stat(db); err == nil {
			return "", false, fmt.Errorf("%s exists: the demo starts from scratch, choose an empty --dir", db)
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", false, fmt.Errorf("create --dir %s: %w", dir, err)
	}
	return dir, false, nil
}

// demoAddr is the loopback address of the i-th node ("127.0.0.1:0" when any port will do).
func demoAddr(basePort, i int) string {
	if basePort == 0 {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(basePort+i))
}

// listen binds every node's port before anything else, so a busy port fails at once
// with its number.
func (c *demoCluster) listen(world demoWorld, basePort int, dir string) error {
	for i := range world.sites {
		site := &world.sites[i]
		addr := demoAddr(basePort, i)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			c.release()
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("port %d (for %s) is already in use: stop what uses it or choose other ports with --base-port", basePort+i, site.name)
			}
			return fmt.Errorf("listen on %s for %s: %w", addr, site.name, err)
		}
		host := ln.Addr().String()
		c.nodes = append(c.nodes, &demoNode{site: site, url: "http://" + host, host: host, ln: ln,
			dir: filepath.Join(dir, strings.ToLower(site.name)), accounts: map[string]*model.Account{}})
	}
	return nil
}

// release frees the ports and databases of nodes that never started serving.
func (c *demoCluster) release() {
	for _, d := range c.nodes {
		_ = d.ln.Close()
		if d.n != nil {
			_ = d.n.Close()
		}
	}
}

// open builds the nodes side by side: each generates its node key and migrates its database.
func (c *demoCluster) open(ctx context.Context, e env, logLevel string) error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, d := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := config.Default()
			cfg.Listen, cfg.BaseURL, cfg.DataDir, cfg.SiteName, cfg.LogLevel = d.host, d.url, d.dir, d.site.name, logLevel
			if err := cfg.Validate(); err != nil {
				errs[i] = err
				return
			}
			log := newLogger(e.stderr, logLevel).With("node", d.site.name)
			n, err := node.Open(ctx, cfg, log, node.Options{})
			if err != nil {
				errs[i] = fmt.Errorf("open node %s: %w", d.site.name, err)
				return
			}
			d.n = n
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// start serves every node and runs its background work (the delivery worker).
func (c *demoCluster) start() {
	bg, cancel := context.WithCancel(context.Background())
	c.stopBackground = cancel
	for _, d := range c.nodes {
		d.srv = &http.Server{
			Handler:           d.n.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
		go func() {
			if err := d.srv.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				c.serveErr <- fmt.Errorf("%s: %w", d.site.name, err)
			}
		}()
		c.background.Add(1)
		go func() {
			defer c.background.Done()
			d.n.Run(bg)
		}()
	}
}

// demoShutdownGrace is how long requests in flight get when the demo stops. It is short
// because net/http's Shutdown waits up to 5 s for a connection that was opened but has
// sent nothing yet (HTTP clients open such spare connections); the demo closes those.
const demoShutdownGrace = time.Second

// stop ends the delivery workers first (nothing new goes out), then the servers (requests
// in flight finish), then closes the databases.
func (c *demoCluster) stop() error {
	c.stopBackground()
	c.background.Wait()
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, d := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), demoShutdownGrace)
			defer cancel()
			err := d.srv.Shutdown(ctx)
			if errors.Is(err, context.DeadlineExceeded) {
				err = d.srv.Close()
			}
			if err != nil {
				errs[i] = fmt.Errorf("shut down %s: %w", d.site.name, err)
			}
		}()
	}
	wg.Wait()
	for _, d := range c.nodes {
		if err := d.n.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", d.site.name, err))
		}
	}
	return errors.Join(errs...)
}
