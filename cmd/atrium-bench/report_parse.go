package main

import (
	"bufio"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// benchRun is one result line of `go test -bench`: a (sub-)benchmark's name without the
// -GOMAXPROCS suffix, its iterations, and its metrics by unit (ns/op, p99-ms, …).
type benchRun struct {
	Name    string
	N       int64
	Metrics map[string]float64
}

// loggedFigure is a latency line a benchmark logs instead of reporting metrics (the search
// benchmark: "<query> results 20  p50 1.2 ms  p99 3.4 ms  max 5.6 ms"), with the
// benchmark it was logged under.
type loggedFigure struct {
	Bench   string
	Query   string
	Results int
	P50ms   float64
	P99ms   float64
	MaxMs   float64
}

// benchOutput is everything parsed from one `go test -bench` run.
type benchOutput struct {
	Runs    []benchRun
	Logged  []loggedFigure
	Skipped []string // "--- SKIP" lines' benchmarks with their reason
	Failed  []string // "--- FAIL" lines
}

var (
	procSuffix = regexp.MustCompile(`-\d+$`)
	loggedLine = regexp.MustCompile(`^\s+\S+\.go:\d+: (.+?)\s+results\s+(\d+)\s+p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms\s+max\s+([\d.]+) ms\s*$`)
	skipReason = regexp.MustCompile(`^\s+\S+\.go:\d+: (.*)$`)
)

// parseBenchOutput reads the output of `go test -bench` (with or without -v).
func parseBenchOutput(r io.Reader) benchOutput {
	var out benchOutput
	current := "" // the benchmark whose log lines follow ("--- BENCH:"/"--- SKIP:")
	skipping := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "--- BENCH: "), strings.HasPrefix(trimmed, "--- SKIP: "), strings.HasPrefix(trimmed, "--- FAIL: "):
			kind, name, _ := strings.Cut(strings.TrimPrefix(trimmed, "--- "), ": ")
			current = procSuffix.ReplaceAllString(strings.Fields(name)[0], "")
			skipping = kind == "SKIP"
			if kind == "FAIL" {
				out.Failed = append(out.Failed, current)
			}
			continue
		case strings.HasPrefix(line, "Benchmark"):
			if run, ok := parseRunLine(line); ok {
				out.Runs = append(out.Runs, run)
				current = run.Name
				skipping = false
				continue
			}
			// With -v a benchmark's name comes alone on a line before its logs; its
			// result line follows them.
			if f := strings.Fields(line); len(f) == 1 {
				current = procSuffix.ReplaceAllString(f[0], "")
				skipping = false
				continue
			}
		}
		if m := loggedLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			out.Logged = append(out.Logged, loggedFigure{Bench: current, Query: strings.TrimSpace(m[1]), Results: n,
				P50ms: atof(m[3]), P99ms: atof(m[4]), MaxMs: atof(m[5])})
			continue
		}
		if skipping {
			if m := skipReason.FindStringSubmatch(line); m != nil {
				out.Skipped = append(out.Skipped, current+": "+m[1])
				skipping = false
			}
		}
	}
	return out
}

// parseRunLine reads "BenchmarkX/sub-2   200   861234 ns/op   1.23 p99-ms".
func parseRunLine(line string) (benchRun, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return benchRun{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return benchRun{}, false
	}
	run := benchRun{Name: procSuffix.ReplaceAllString(f[0], ""), N: n, Metrics: map[string]float64{}}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return benchRun{}, false
		}
		run.Metrics[f[i+1]] = v
	}
	return run, true
}

func atof(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// spread is min / median / max of repeated values (one value when there is one).
type spread []float64

func (s spread) String() string {
	if len(s) == 0 {
		return "—"
	}
	v := append([]float64(nil), s...)
	sort.Float64s(v)
	if len(v) == 1 {
		return formatFigure(v[0])
	}
	return formatFigure(v[0]) + " / " + formatFigure(median(v)) + " / " + formatFigure(v[len(v)-1])
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// formatFigure prints three significant digits, with thousands separated for large values.
func formatFigure(v float64) string {
	switch a := abs(v); {
	case a == 0:
		return "0"
	case a >= 1000:
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
