package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // for the SQLite version the node links
)

// machine describes where the figures were taken.
type machine struct {
	CPU        string
	Cores      int
	RAM        string
	OS         string
	Go         string
	SQLite     string
	PostgreSQL string
}

func describeMachine(ctx context.Context, pgURL string) machine {
	m := machine{CPU: cpuModel(), Cores: runtime.NumCPU(), RAM: memTotal(), OS: osName(), Go: goVersion(ctx)}
	m.SQLite = sqliteVersion(ctx)
	m.PostgreSQL = postgresVersion(ctx, pgURL)
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			var kib int64
			fmt.Sscan(strings.TrimPrefix(line, "MemTotal:"), &kib)
			return fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
		}
	}
	return "unknown"
}

func osName() string {
	name := runtime.GOOS + "/" + runtime.GOARCH
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				name = strings.Trim(v, `"`) + ", " + runtime.GOARCH
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		name += ", Linux " + strings.TrimSpace(string(b))
	}
	return name
}

// goVersion is the toolchain that builds the benchmarks (go on PATH), not this binary's.
func goVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func sqliteVersion(ctx context.Context) string {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v + " (modernc.org/sqlite)"
}

func postgresVersion(ctx context.Context, url string) string {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithTimeout(5*time.Second)))
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unreachable (" + err.Error() + ")"
	}
	return v
}

// headerBlock is the generated part at the top of docs/benchmarks.md.
func headerBlock(m machine, started time.Time, took time.Duration, loadBefore, loadAfter string, sections []string, quick bool) string {
	var b strings.Builder
	if quick {
		b.WriteString("**Smoke run (`--quick`, small data sets): these figures only show that the benchmarks run.**\n\n")
	}
	fmt.Fprintf(&b, "Figures below in the generated blocks are written by one command, from the repository root:\n\n")
	b.WriteString("```sh\ngo run ./cmd/atrium-bench report\n```\n\n")
	b.WriteString("It runs every benchmark of this file (the `go test` commands of each section, as subprocesses, " +
		"and the load program), parses their output and replaces only the blocks between `<!-- figures:… -->` " +
		"markers. `--only search,load` reruns some sections and keeps the others' figures, `--dry-run` prints " +
		"the plan, `--quick` is a smoke run on small data sets that writes elsewhere unless `--write` is given. " +
		"A full run takes hours the first time (seeding the 1,000,000-post sets, cached for reruns in " +
		"`ATRIUM_BENCH_CACHE`).\n\n")
	fmt.Fprintf(&b, "Last run: %s UTC (%s), sections: %s.\n\n", started.UTC().Format("2006-01-02 15:04"), took.Round(time.Second), strings.Join(sections, ", "))
	b.WriteString("| machine | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| CPU | %s, %d cores |\n| RAM | %s |\n| OS | %s |\n| Go | %s |\n| SQLite | %s |\n| PostgreSQL | %s, same machine over TCP |\n",
		m.CPU, m.Cores, m.RAM, m.OS, m.Go, m.SQLite, m.PostgreSQL)
	fmt.Fprintf(&b, "| load average (1, 5, 15 min) | %s before, %s after |\n", loadBefore, loadAfter)
	return b.String()
}
