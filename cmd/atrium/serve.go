package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/spf13/cobra"
)

func serveCommand(e env, load func() (config.Config, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the node (creates ./data with a SQLite database when nothing is configured)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			n, err := openNode(ctx, e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			// Start-up allocates ~80 MB it never needs again (argon2id's 64 MiB for the
			// login timing hash, template parsing); the runtime would hand it back to the
			// OS only over minutes.
			debug.FreeOSMemory()
			ln, err := net.Listen("tcp", n.Config.Listen)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", n.Config.Listen, err)
			}
			srv := &http.Server{
				Handler:           n.Handler(),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
				MaxHeaderBytes:    64 << 10,
			}
			fmt.Fprintf(e.stdout, "Atrium %q listening on %s (open %s)\n", n.Config.SiteName, ln.Addr(), n.Config.BaseURL)
			if n.Setup != nil {
				fmt.Fprintf(e.stdout, "No admin yet. Create the first admin at: %s%s\n", n.Config.BaseURL, n.Setup.Path())
			}
			// Background work (delivery worker, sweeps) stops with the server, before the
			// database closes.
			bgCtx, stopBackground := context.WithCancel(ctx)
			background := make(chan struct{})
			go func() {
				defer close(background)
				n.Run(bgCtx)
			}()
			defer func() {
				stopBackground()
				<-background
			}()
			if n.Config.PprofListen != "" {
				if err := servePprof(bgCtx, n.Config.PprofListen, n.Log); err != nil {
					return fmt.Errorf("pprof listen on %s: %w", n.Config.PprofListen, err)
				}
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			n.Log.Info("shutting down")
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("shutdown: %w", err)
			}
			n.Log.Info("stopped")
			return nil
		},
	}
}

func migrateCommand(e env, load func() (config.Config, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			db, err := storage.Open(cfg.DatabaseURL, cfg.SQLitePath())
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := storage.Migrate(cmd.Context(), db)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(e.stdout, "database is up to date")
			}
			for _, name := range applied {
				fmt.Fprintln(e.stdout, "applied", name)
			}
			return nil
		},
	}
}
