package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/atrium-intranet/atrium/internal/faults"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// reportOptions are the flags of `atrium-bench report`.
type reportOptions struct {
	only   string
	quick  bool
	dryRun bool
	out    string
	write  bool
	faults bool
	doc    string // the document to start from
	// loadResults are files of `atrium-bench load --json` to put into the Load section
	// instead of running the load program again.
	loadResults []string
}

func reportCommand() *cobra.Command {
	o := reportOptions{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Run every benchmark and write their figures into docs/benchmarks.md",
		Long: `Runs the benchmarks of every section of docs/benchmarks.md (go test -bench as subprocesses,
and the load program), parses their output and replaces the generated blocks
(<!-- figures:KEY --> … <!-- /figures -->) of the document; the hand-written text stays.
Run it from the repository root. A full run seeds the 1,000,000-post sets on first use
(cached, see ATRIUM_BENCH_CACHE) and takes hours.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.only, "only", "", "comma-separated sections to rerun (homefeed, federation, groups, tags, search, directory, load); the others keep their figures")
	f.BoolVar(&o.quick, "quick", false, "smoke run on small data sets; writes to a file in the temporary directory unless --write")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the plan and exit")
	f.StringVar(&o.out, "out", "", "file to write (default docs/benchmarks.md; with --quick a file in the temporary directory)")
	f.BoolVar(&o.write, "write", false, "with --quick, write docs/benchmarks.md anyway (figures marked as a smoke run)")
	f.BoolVar(&o.faults, "faults", false, "also run `atrium-bench faults --json` and include its results (not a benchmark)")
	f.StringSliceVar(&o.loadResults, "load-results", nil, "files written by `atrium-bench load --json` to report instead of running the load program")
	f.StringVar(&o.doc, "doc", filepath.Join("docs", "benchmarks.md"), "the document whose text is kept")
	return cmd
}

// outputPath decides where the report goes: a smoke run never replaces the real figures
// unless asked to.
func (o reportOptions) outputPath() string {
	switch {
	case o.out != "":
		return o.out
	case o.quick && !o.write:
		return filepath.Join(os.TempDir(), "atrium-benchmarks-quick.md")
	}
	return o.doc
}

func runReport(ctx context.Context, o reportOptions, stdout, stderr io.Writer) error {
	chosen, err := selectSections(sections(), o.only)
	if err != nil {
		return err
	}
	pick := func(s section) args {
		if o.quick {
			return s.quick
		}
		return s.full
	}
	outPath := o.outputPath()
	if o.dryRun {
		fmt.Fprintf(stdout, "report: %d sections, reading %s, writing %s\n", len(chosen), o.doc, outPath)
		for _, s := range chosen {
			fmt.Fprintf(stdout, "  %-10s %s\n", s.key, s.command(pick(s), o.quick))
		}
		if o.faults {
			fmt.Fprintln(stdout, "  faults     atrium-bench faults --json")
		}
		return nil
	}
	original, err := os.ReadFile(o.doc)
	if err != nil {
		return err
	}
	doc := string(original)
	if _, err := os.Stat(filepath.Join("cmd", "atrium")); err != nil {
		return errors.New("run atrium-bench report from the repository root")
	}
	logDir, err := os.MkdirTemp("", "atrium-bench-report-")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "report: logs in %s\n", logDir)
	started := time.Now()
	loadBefore := loadAverage()
	var done []string
	for _, s := range chosen {
		if ctx.Err() != nil {
			break
		}
		a := pick(s)
		fmt.Fprintf(stderr, "report: %s: %s\n", s.key, s.command(a, o.quick))
		t0, la0 := time.Now(), loadAverage()
		took, la1 := time.Duration(0), ""
		var content string
		if s.pkg == "" && len(o.loadResults) > 0 {
			results, err := readLoadResults(o.loadResults)
			if err != nil {
				return err
			}
			content = loadTables(results)
			if len(results) > 0 {
				last := results[len(results)-1]
				t0, took = results[0].StartedAt, last.StartedAt.Sub(results[0].StartedAt)
				la0, la1 = results[0].LoadAvgBefore, last.LoadAvgAfter
				content = "_From saved results of `atrium-bench load --json`; the time below is when the first was taken, " +
					"the duration does not include the last run._\n\n" + content
			}
		} else if s.pkg == "" {
			results, err := runLoad(ctx, a.load, stderr)
			content = loadTables(results)
			if err != nil {
				content += fmt.Sprintf("\n**The run failed:** %s\n", err)
			}
		} else {
			content = runGoBench(ctx, s, a, o.quick, filepath.Join(logDir, s.key+".log"))
		}
		if la1 == "" {
			took, la1 = time.Since(t0), loadAverage()
		}
		content = blockPreamble(s.command(a, o.quick), t0, took, la0, la1, o.quick) + content
		doc = setBlock(doc, s.title, s.key, content, s.intro)
		done = append(done, s.key)
		// Written after every section, so an interrupted run keeps what it measured.
		if err := os.WriteFile(outPath, []byte(doc), 0o644); err != nil {
			return err
		}
	}
	if o.faults && ctx.Err() == nil {
		doc = setBlock(doc, "Fault scenarios", "faults", runFaults(ctx, filepath.Join(logDir, "faults.log")),
			"Not benchmarks: what a node does when peers fail (`go run ./cmd/atrium-bench faults`). Only with `report --faults`.")
		done = append(done, "faults")
	}
	m := describeMachine(ctx, defaultPostgresURL())
	doc = setBlock(doc, "", "header", headerBlock(m, started, time.Since(started), loadBefore, loadAverage(), done, o.quick), "")
	if err := os.WriteFile(outPath, []byte(doc), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report: wrote %s (%s)\n", outPath, strings.Join(done, ", "))
	return ctx.Err()
}

// blockPreamble opens every generated block: when, how long, under what load, how.
func blockPreamble(command string, at time.Time, took time.Duration, la0, la1 string, quick bool) string {
	var b strings.Builder
	if quick {
		b.WriteString("**Smoke run (`--quick`, small data sets): not figures to compare.**\n\n")
	}
	fmt.Fprintf(&b, "_Generated %s UTC by `atrium-bench report` (%s; load average %s before, %s after):_\n\n```sh\n%s\n```\n\n",
		at.UTC().Format("2006-01-02 15:04"), took.Round(time.Second), la0, la1, command)
	return b.String()
}

// runGoBench runs one section's go test, keeps its output in logPath and renders its figures.
func runGoBench(ctx context.Context, s section, a args, quick bool, logPath string) string {
	cmd := exec.CommandContext(ctx, "go", s.goTestArgs(a, quick)...)
	cmd.Env = os.Environ()
	for k, v := range a.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var buf bytes.Buffer
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Sprintf("**Could not run:** %s\n", err)
	}
	defer logFile.Close()
	cmd.Stdout = io.MultiWriter(&buf, logFile)
	cmd.Stderr = cmd.Stdout
	runErr := cmd.Run()
	out := parseBenchOutput(&buf)
	var b strings.Builder
	if len(out.Logged) > 0 {
		b.WriteString(loggedTable(out.Logged))
	}
	if len(out.Runs) > 0 && (len(out.Logged) == 0 || hasFigures(out.Runs)) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(benchTable(out))
	}
	if b.Len() == 0 {
		b.WriteString("_No figures in the output._\n")
	}
	for _, sk := range out.Skipped {
		fmt.Fprintf(&b, "\nSkipped: %s\n", sk)
	}
	if runErr != nil {
		fmt.Fprintf(&b, "\n**The command failed** (%s)", runErr)
		if len(out.Failed) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(out.Failed, ", "))
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// hasFigures reports whether runs carry more than the time of a single batch iteration.
func hasFigures(runs []benchRun) bool {
	for _, r := range runs {
		if len(shownUnits(r.Metrics)) > 0 && !(len(r.Metrics) == 1 && r.N == 1 && hasKey(r.Metrics, "ns/op")) {
			return true
		}
	}
	return false
}

// runFaults runs the fault scenarios of this binary with --json (one JSON object per
// line and scenario run) and renders them as a table.
func runFaults(ctx context.Context, logPath string) string {
	self, err := os.Executable()
	if err != nil {
		return fmt.Sprintf("**Could not run:** %s\n", err)
	}
	var stdout bytes.Buffer
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Sprintf("**Could not run:** %s\n", err)
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, self, "faults", "--json")
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&stdout, logFile), logFile
	runErr := cmd.Run()
	var b strings.Builder
	b.WriteString(faultsTable(&stdout))
	if runErr != nil {
		fmt.Fprintf(&b, "\n**The command failed** (%s); its log: %s\n", runErr, logPath)
	}
	return b.String()
}

// faultsTable renders JSON lines of fault results; lines that are not results are ignored.
func faultsTable(r io.Reader) string {
	var b strings.Builder
	b.WriteString("| scenario | database | ok | sent | stored / expected | lost | duplicated | latency p50 / p99 ms | problems |\n")
	b.WriteString("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
	rows := 0
	dec := json.NewDecoder(r)
	for {
		var f faults.Result
		if err := dec.Decode(&f); err != nil {
			break
		}
		if f.Scenario == "" {
			continue
		}
		rows++
		var expected, stored, lost, dup int
		for _, p := range f.Peers {
			expected, stored, lost, dup = expected+p.Expected, stored+p.Stored, lost+p.Lost, dup+p.Duplicated
		}
		lat := "—"
		if f.Latency != nil {
			lat = formatFigure(float64(f.Latency.P50)) + " / " + formatFigure(float64(f.Latency.P99))
		}
		fmt.Fprintf(&b, "| %s: %s | %s | %v | %d | %d / %d | %d | %d | %s | %s |\n", f.Scenario, f.Title,
			orDash(dialectTitle[f.Dialect]), f.OK, f.Sent, stored, expected, lost, dup, lat,
			orDash(strings.ReplaceAll(strings.Join(f.Problems, "; "), "|", `\|`)))
	}
	if rows == 0 {
		return "_No fault results in the output._\n"
	}
	return b.String()
}

// readLoadResults reads the JSON output of one or more load runs.
func readLoadResults(paths []string) ([]LoadResult, error) {
	var all []LoadResult
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var rs []LoadResult
		if err := json.Unmarshal(b, &rs); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, rs...)
	}
	return all, nil
}
