package main

import (
	"strings"
	"testing"
)

// cannedBench is `go test -bench -v` output as the benchmarks print it: standard lines,
// custom metrics, a repeated run, a skip and a logged figure of the search benchmark.
const cannedBench = `goos: linux
goarch: amd64
pkg: github.com/atrium-intranet/atrium/social
cpu: AMD EPYC
BenchmarkHomeFeed/sqlite/first_page-2         	     200	    861234 ns/op	         0.8612 ms/op
BenchmarkHomeFeed/sqlite/first_page-2         	     200	    910000 ns/op	         0.9100 ms/op
BenchmarkHomeFeed/sqlite/first_page-2         	     200	    750000 ns/op	         0.7500 ms/op
BenchmarkHomeFeed/postgres/first_page-2       	     200	   2390000 ns/op	         2.390 ms/op
--- SKIP: BenchmarkHomeFeed/postgres/deep_page
    testrig.go:40: PostgreSQL unreachable
BenchmarkSearch/sqlite-2   	       1	123456789 ns/op
--- BENCH: BenchmarkSearch/sqlite-2
    search_bench_test.go:136: posts: rare word (0.01%)            results  20  p50   32.50 ms  p99  215.00 ms  max  300.10 ms
    search_bench_test.go:136: search all: person name             results   5  p50    0.17 ms  p99    1.20 ms  max    2.00 ms
BenchmarkSearch/postgres-2   	       1	223456789 ns/op
--- BENCH: BenchmarkSearch/postgres-2
    search_bench_test.go:136: posts: rare word (0.01%)            results  20  p50   12.00 ms  p99   40.00 ms  max   41.00 ms
BenchmarkPostLatency/sqlite-2 	       1	         0 ns/op	         3.210 p50-ms	         7.740 p99-ms	        10.90 max-ms	      1000 samples
PASS
ok  	github.com/atrium-intranet/atrium/social	12.3s
`

func TestParseBenchOutput(t *testing.T) {
	out := parseBenchOutput(strings.NewReader(cannedBench))
	if len(out.Runs) != 7 {
		t.Fatalf("runs = %d, want 7: %+v", len(out.Runs), out.Runs)
	}
	first := out.Runs[0]
	if first.Name != "BenchmarkHomeFeed/sqlite/first_page" || first.N != 200 || first.Metrics["ms/op"] != 0.8612 {
		t.Errorf("first run = %+v", first)
	}
	last := out.Runs[6]
	if last.Metrics["p99-ms"] != 7.74 || last.Metrics["samples"] != 1000 {
		t.Errorf("custom metrics = %+v", last.Metrics)
	}
	if len(out.Logged) != 3 {
		t.Fatalf("logged = %+v", out.Logged)
	}
	want := loggedFigure{Bench: "BenchmarkSearch/sqlite", Query: "posts: rare word (0.01%)", Results: 20, P50ms: 32.5, P99ms: 215, MaxMs: 300.1}
	if out.Logged[0] != want {
		t.Errorf("logged[0] = %+v, want %+v", out.Logged[0], want)
	}
	if out.Logged[2].Bench != "BenchmarkSearch/postgres" {
		t.Errorf("logged[2] belongs to %q", out.Logged[2].Bench)
	}
	if len(out.Skipped) != 1 || !strings.Contains(out.Skipped[0], "PostgreSQL unreachable") {
		t.Errorf("skipped = %q", out.Skipped)
	}
}

func TestBenchTable(t *testing.T) {
	tests := []struct {
		name   string
		output string
		want   []string
	}{
		{"databases as columns, repeated runs as min / median / max", cannedBench[:strings.Index(cannedBench, "--- SKIP")],
			[]string{"| benchmark (ms/op) | SQLite | PostgreSQL |", "| `first_page` | 0.750 / 0.861 / 0.910 | 2.39 |"}},
		{"one row per figure otherwise", "BenchmarkPostLatency/sqlite-2 \t 1 \t 0 ns/op \t 3.210 p50-ms \t 1000 samples\n",
			[]string{"| `BenchmarkPostLatency/sqlite` | p50-ms | 3.21 |", "| `BenchmarkPostLatency/sqlite` | samples | 1,000 |"}},
		{"no results", "PASS\n", []string{"No benchmark results"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benchTable(parseBenchOutput(strings.NewReader(tt.output)))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("table lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "ns/op") {
				t.Errorf("ns/op shown although replaced:\n%s", got)
			}
		})
	}
}

// cannedVerbose is the search benchmark under -v: each sub-benchmark's name alone, its
// logs, then its result line.
const cannedVerbose = `BenchmarkSearch
BenchmarkSearch/sqlite
    search_bench_test.go:142: posts: rare word                   results   1  p50    0.29 ms  p99   21.19 ms  max   35.12 ms
BenchmarkSearch/sqlite-2         	       1	14242155409 ns/op
BenchmarkSearch/postgres
    search_bench_test.go:142: posts: rare word                   results   1  p50    1.07 ms  p99   16.33 ms  max   46.96 ms
BenchmarkSearch/postgres-2       	       1	29370669874 ns/op
PASS
`

func TestParseVerboseLogsBelongToTheNameAbove(t *testing.T) {
	out := parseBenchOutput(strings.NewReader(cannedVerbose))
	if len(out.Logged) != 2 || out.Logged[0].Bench != "BenchmarkSearch/sqlite" || out.Logged[1].Bench != "BenchmarkSearch/postgres" {
		t.Fatalf("logged = %+v", out.Logged)
	}
	got := loggedTable(out.Logged)
	if !strings.Contains(got, "| posts: rare word | 0.290 | 21.19 | 35.12 | 1.07 | 16.33 | 46.96 |") {
		t.Errorf("table:\n%s", got)
	}
	if hasFigures(out.Runs) {
		t.Error("a single iteration's ns/op counted as figures")
	}
}

func TestLoggedTable(t *testing.T) {
	got := loggedTable(parseBenchOutput(strings.NewReader(cannedBench)).Logged)
	for _, w := range []string{
		"| posts: rare word (0.01%) | 32.50 | 215.0 | 300.1 | 12.00 | 40.00 | 41.00 |",
		"| search all: person name | 0.170 | 1.20 | 2.00 | — | — | — |",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("table lacks %q:\n%s", w, got)
		}
	}
}

const cannedDoc = `# Benchmarks

## Home feed

Requirement: fast.

### Command

` + "```sh\ngo test ./social/ -bench HomeFeed\n```" + `

Hand-written note on the command.

### Results

Old figures by hand.

## Search

Prose about search.

` + "```sh\nATRIUM_BENCH_SEARCH_POSTS=1000000 go test ./social/\n```" + `
`

func TestSetBlock(t *testing.T) {
	doc := setBlock(cannedDoc, "Home feed", "homefeed", "| new | table |\n", "")
	doc = setBlock(doc, "Search", "search", "search figures\n", "")
	doc = setBlock(doc, "", "header", "machine\n", "")
	doc = setBlock(doc, "Load", "load", "load figures\n", "Load intro.\n")
	for _, keep := range []string{"Requirement: fast.", "Hand-written note on the command.", "Old figures by hand.", "Prose about search."} {
		if !strings.Contains(doc, keep) {
			t.Errorf("lost %q:\n%s", keep, doc)
		}
	}
	order := []string{"# Benchmarks", "<!-- figures:header -->\nmachine\n<!-- /figures -->",
		"Hand-written note on the command.", "<!-- figures:homefeed -->\n| new | table |\n<!-- /figures -->", "### Results",
		"## Search", "ATRIUM_BENCH_SEARCH_POSTS", "<!-- figures:search -->", "## Load\n\nLoad intro.", "<!-- figures:load -->"}
	at := 0
	for _, o := range order {
		i := strings.Index(doc[at:], o)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", o, doc)
		}
		at += i
	}

	// A rerun replaces only the figures, and only once.
	again := setBlock(doc, "Home feed", "homefeed", "| newer | table |\n", "")
	if strings.Count(again, "<!-- figures:homefeed -->") != 1 || strings.Contains(again, "| new | table |") ||
		!strings.Contains(again, "| newer | table |") {
		t.Errorf("rerun did not replace the block:\n%s", again)
	}
	if strings.Replace(again, "| newer | table |", "| new | table |", 1) != doc {
		t.Errorf("rerun changed more than the block")
	}
}

func TestSelectSections(t *testing.T) {
	all := sections()
	got, err := selectSections(all, "load, search")
	if err != nil || len(got) != 2 || got[0].key != "search" || got[1].key != "load" {
		t.Errorf("selectSections = %v, %v; want search, load in document order", got, err)
	}
	if _, err := selectSections(all, "nope"); err == nil {
		t.Error("unknown section accepted")
	}
	if got, _ := selectSections(all, ""); len(got) != len(all) {
		t.Errorf("empty --only selects %d of %d", len(got), len(all))
	}
}

func TestQuickNeverOverwritesTheDocument(t *testing.T) {
	tests := []struct {
		o    reportOptions
		want string
	}{
		{reportOptions{doc: "docs/benchmarks.md"}, "docs/benchmarks.md"},
		{reportOptions{doc: "docs/benchmarks.md", quick: true}, "atrium-benchmarks-quick.md"},
		{reportOptions{doc: "docs/benchmarks.md", quick: true, write: true}, "docs/benchmarks.md"},
		{reportOptions{doc: "docs/benchmarks.md", quick: true, out: "x.md"}, "x.md"},
	}
	for _, tt := range tests {
		if got := tt.o.outputPath(); !strings.HasSuffix(got, tt.want) || (tt.o.quick && !tt.o.write && tt.o.out == "" && got == tt.o.doc) {
			t.Errorf("outputPath(%+v) = %q, want …%s", tt.o, got, tt.want)
		}
	}
}

func TestFaultsTable(t *testing.T) {
	lines := `{"scenario":"a","title":"SIGKILL of the sender","dialect":"sqlite","ok":true,"sent":1000,
 "peers":[{"expected":1000,"stored":1000,"duplicated":0,"lost":0}],"problems":[]}
{"scenario":"d","title":"slow peer","dialect":"postgres","ok":false,"sent":10,
 "peers":[{"expected":10,"stored":9,"lost":1}],"latency":{"p50_ms":12,"p99_ms":80},"problems":["1 lost"]}
not json
`
	got := faultsTable(strings.NewReader(lines))
	for _, w := range []string{
		"| a: SIGKILL of the sender | SQLite | true | 1000 | 1000 / 1000 | 0 | 0 | — | — |",
		"| d: slow peer | PostgreSQL | false | 10 | 9 / 10 | 1 | 0 | 12.00 / 80.00 | 1 lost |",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("table lacks %q:\n%s", w, got)
		}
	}
	if got := faultsTable(strings.NewReader("")); !strings.Contains(got, "No fault results") {
		t.Errorf("empty output: %s", got)
	}
}
