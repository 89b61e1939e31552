package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/internal/faults"
	"github.com/spf13/cobra"
)

// faultsFlags are the settings of `atrium-bench faults`.
type faultsFlags struct {
	scenario, db, atrium, pgURL, pgBin string
	n, rate                            int
	crashLease, outage, slow, load     time.Duration
	pgOutage                           time.Duration
	json                               bool
}

// faultsCommand runs the fault scenarios against real `atrium serve` processes.
func faultsCommand() *cobra.Command {
	f := &faultsFlags{}
	cmd := &cobra.Command{
		Use:   "faults",
		Short: "Fault scenarios with real node processes: crash, peer down, PostgreSQL restart, slow peer",
		Long: `Runs the fault scenarios of internal/faults against real atrium serve processes on
loopback and prints, for each, what was sent, received, duplicated and lost:

  a  SIGKILL of the sending node during a burst of --n deliveries, restart
  b  the receiving peer down for --outage, then back
  c  PostgreSQL (a private instance) restarted under load (PostgreSQL only)
  d  a slow peer (answers after --slow) beside a fast one

Exits non-zero if any scenario loses or duplicates anything or fails a check.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFaultScenarios(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.scenario, "scenario", "all", "a, b, c, d or all")
	fl.StringVar(&f.db, "db", "both", "sqlite, postgres or both")
	fl.IntVar(&f.n, "n", 1000, "posts published in scenarios a, b and d")
	fl.StringVar(&f.atrium, "atrium", "", "atrium binary (default: go build ./cmd/atrium into a temporary directory)")
	fl.StringVar(&f.pgURL, "pg-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for the nodes' schemas")
	fl.StringVar(&f.pgBin, "pg-bin", faults.DefaultPGBin, "directory of initdb and pg_ctl for scenario c's private server")
	fl.DurationVar(&f.crashLease, "crash-lease", 10*time.Second, "the sender's delivery lease in scenario a (rows in flight at the kill come back after it)")
	fl.DurationVar(&f.outage, "outage", 90*time.Second, "how long the peer is down in scenario b")
	fl.DurationVar(&f.slow, "slow", 30*time.Second, "how long the slow peer takes to answer in scenario d")
	fl.DurationVar(&f.load, "load", time.Minute, "how long writes go on in scenario c")
	fl.IntVar(&f.rate, "rate", 20, "writes per second in scenario c")
	fl.DurationVar(&f.pgOutage, "pg-outage", 10*time.Second, "how long PostgreSQL is down in scenario c")
	fl.BoolVar(&f.json, "json", false, "print one JSON result per line on stdout (tables go to stderr)")
	return cmd
}

// faultScenario is one scenario of the command.
type faultScenario struct {
	name string
	run  func(context.Context, faults.Options) (*faults.Result, error)
	// postgresOnly scenarios run once, on PostgreSQL.
	postgresOnly bool
}

var faultScenarios = []faultScenario{
	{"a", faults.SIGKILLMidBurst, false},
	{"b", faults.PeerDown, false},
	{"c", faults.PostgresRestart, true},
	{"d", faults.SlowPeer, false},
}

func runFaultScenarios(ctx context.Context, f *faultsFlags) error {
	dialects, err := pickDialects(f.db)
	if err != nil {
		return err
	}
	var run []faultScenario
	for _, s := range faultScenarios {
		if f.scenario == "all" || f.scenario == s.name {
			run = append(run, s)
		}
	}
	if len(run) == 0 {
		return fmt.Errorf("unknown scenario %q: want a, b, c, d or all", f.scenario)
	}
	bin := f.atrium
	if bin == "" {
		dir, err := os.MkdirTemp("", "atrium-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "atrium")
		fmt.Fprintln(os.Stderr, "building", bin)
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/atrium-intranet/atrium/cmd/atrium")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build atrium: %w", err)
		}
	}
	tables := os.Stdout
	if f.json {
		tables = os.Stderr
	}
	failed := 0
	for _, s := range run {
		for _, dialect := range dialects {
			if s.postgresOnly && dialect != "postgres" {
				if !containsString(dialects, "postgres") {
					fmt.Fprintf(tables, "Scenario %s needs PostgreSQL: skipped with --db %s\n\n", s.name, f.db)
				}
				continue
			}
			o := faults.Options{
				Atrium: bin, Dialect: dialect, PostgresURL: f.pgURL, PGBin: f.pgBin, N: f.n,
				Outage: f.outage, Slow: f.slow, Load: f.load, Rate: f.rate, Log: os.Stderr,
			}
			switch s.name {
			case "a":
				o.Lease = f.crashLease
			case "c":
				o.Outage = f.pgOutage
			}
			res, err := s.run(ctx, o)
			if err != nil {
				failed++
				fmt.Fprintf(tables, "Scenario %s (%s): ERROR %v\n\n", s.name, dialect, err)
				continue
			}
			fmt.Fprintln(tables, res.Summary())
			if f.json {
				line, _ := json.Marshal(res)
				fmt.Println(string(line))
			}
			if !res.OK {
				failed++
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d scenario runs failed", failed)
	}
	return nil
}

func pickDialects(db string) ([]string, error) {
	switch strings.ToLower(db) {
	case "sqlite":
		return []string{"sqlite"}, nil
	case "postgres":
		return []string{"postgres"}, nil
	case "both":
		return []string{"sqlite", "postgres"}, nil
	}
	return nil, errors.New("--db must be sqlite, postgres or both")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
