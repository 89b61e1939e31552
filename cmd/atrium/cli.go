package main

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/internal/reqlog"
	"github.com/spf13/cobra"
)

// env is the process's outside world, passed in so commands are testable.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// newRootCommand builds the command tree.
func newRootCommand(e env) *cobra.Command {
	var configPath string
	root := &cobra.Command{
		Use:           "atrium",
		Short:         "Atrium: a federated social intranet node",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.PersistentFlags().StringVar(&configPath, "config", "", "TOML configuration file (optional; ATRIUM_* variables override it)")
	load := func() (config.Config, error) { return config.Load(configPath, e.getenv) }
	root.AddCommand(serveCommand(e, load), migrateCommand(e, load), adminCommand(e, load))
	root.AddCommand(demoCommand(e))
	return root
}

// newLogger writes structured (logfmt) logs with request ids to w.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.New(reqlog.NewHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})))
}

// openNode loads the configuration and opens the node's database and services.
func openNode(ctx context.Context, e env, load func() (config.Config, error)) (*node.Node, error) {
	cfg, err := load()
	if err != nil {
		return nil, err
	}
	return node.Open(ctx, cfg, newLogger(e.stderr, cfg.LogLevel), node.Options{})
}
