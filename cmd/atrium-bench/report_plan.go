package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// section is one benchmark of docs/benchmarks.md: how to run it in full and as a smoke run,
// and where its figures go.
type section struct {
	key   string // --only name and block key
	title string // its "## " heading in docs/benchmarks.md
	pkg   string // go test package; "" for the load program
	bench string // -bench pattern
	full  args
	quick args
	intro string // text of the section when the document has none yet
}

// args are the parts of a run that differ between a full and a smoke run.
type args struct {
	flags []string          // go test flags after -bench
	env   map[string]string // extra environment
	load  loadOptions       // the load program's settings
}

// sections lists every benchmark, in the order of the document.
func sections() []section {
	count := func(benchtime string, n int, more ...string) []string {
		return append([]string{"-benchtime", benchtime, "-count", fmt.Sprint(n)}, more...)
	}
	loadMix, _ := parseMix(defaultMix)
	return []section{
		{key: "homefeed", title: "Home feed", pkg: "./social/", bench: "^BenchmarkHomeFeed$",
			full: args{flags: count("200x", 3)}, quick: args{flags: count("5x", 1)}},
		{key: "federation", title: "Federation", pkg: "./internal/cluster/", bench: "^Benchmark(PostLatency|InboxIngest|Fanout10)$",
			full: args{flags: count("1x", 3)}, quick: args{flags: count("1x", 1)}},
		{key: "groups", title: "Groups fan-out", pkg: "./internal/cluster/", bench: "^BenchmarkGroupFanout$",
			full: args{flags: count("1x", 5)}, quick: args{flags: count("1x", 1)}},
		{key: "tags", title: "Followed hashtags", pkg: "./social/", bench: "^BenchmarkFollowedTags$",
			full: args{flags: count("200x", 1)}, quick: args{flags: count("5x", 1)}},
		{key: "search", title: "Search", pkg: "./social/", bench: "^BenchmarkSearch$",
			full:  args{flags: count("1x", 1, "-v"), env: map[string]string{"ATRIUM_BENCH_SEARCH_POSTS": "1000000"}},
			quick: args{flags: count("1x", 1, "-v"), env: map[string]string{"ATRIUM_BENCH_SEARCH_POSTS": "10000"}}},
		{key: "directory", title: "Directory", pkg: "./social/", bench: "^BenchmarkDirectory$",
			full: args{flags: count("200x", 3)}, quick: args{flags: count("5x", 1)}},
		{key: "load", title: "Load", intro: loadIntro,
			full: args{load: loadOptions{dbs: []string{"sqlite", "postgres"}, users: 200, posts: 1_000_000,
				duration: 60 * time.Second, warmUp: 30 * time.Second, think: think{time.Second, 3 * time.Second}, mix: loadMix,
				satUsers: 8, satDuration: 20 * time.Second, pgAdmin: defaultPostgresURL()}},
			quick: args{load: loadOptions{dbs: []string{"sqlite", "postgres"}, users: 20, posts: 10_000,
				duration: 10 * time.Second, warmUp: 3 * time.Second, think: think{time.Second, 3 * time.Second}, mix: loadMix,
				satUsers: 4, satDuration: 5 * time.Second, pgAdmin: defaultPostgresURL()}}},
	}
}

// goTestArgs are the arguments of the section's go test run.
func (s section) goTestArgs(a args, quick bool) []string {
	timeout := "3h"
	if quick {
		timeout = "30m"
	}
	out := []string{"test", s.pkg, "-run", "^$", "-bench", s.bench}
	out = append(out, a.flags...)
	return append(out, "-timeout", timeout)
}

// command is the section's run as a shell command, for the document and --dry-run.
func (s section) command(a args, quick bool) string {
	if s.pkg == "" {
		o := a.load
		return fmt.Sprintf("go run ./cmd/atrium-bench load --db both --posts %d --users %d --duration %s --warmup %s --think %s --saturation-users %d --saturation-duration %s",
			o.posts, o.users, o.duration, o.warmUp, thinkFlag(o.think), o.satUsers, o.satDuration)
	}
	var parts []string
	for _, k := range sortedKeys(a.env) {
		parts = append(parts, k+"="+a.env[k])
	}
	parts = append(parts, "go")
	for _, arg := range s.goTestArgs(a, quick) {
		if strings.ContainsAny(arg, "^$|()* ") {
			arg = "'" + arg + "'"
		}
		parts = append(parts, arg)
	}
	return strings.Join(parts, " ")
}

func thinkFlag(t think) string { return t.min.String() + "-" + t.max.String() }

// selectSections applies --only (comma-separated keys; empty: all).
func selectSections(all []section, only string) ([]section, error) {
	if strings.TrimSpace(only) == "" {
		return all, nil
	}
	byKey := map[string]section{}
	var keys []string
	for _, s := range all {
		byKey[s.key] = s
		keys = append(keys, s.key)
	}
	want := map[string]bool{}
	for _, k := range strings.Split(only, ",") {
		k = strings.TrimSpace(k)
		if _, ok := byKey[k]; !ok {
			sort.Strings(keys)
			return nil, fmt.Errorf("--only: unknown section %q (known: %s)", k, strings.Join(keys, ", "))
		}
		want[k] = true
	}
	var out []section
	for _, s := range all {
		if want[s.key] {
			out = append(out, s)
		}
	}
	return out, nil
}

// loadIntro is the hand-written text of the Load section, used when the document has no
// such section yet; afterwards the text in the document is kept as edited.
const loadIntro = `Requirement (issue 8): a load program drives N concurrent users (posting, reading the feed,
commenting, reacting) against a node on SQLite and on PostgreSQL and reports throughput,
latency percentiles and memory. Targets on this 2-core machine: home feed p99 under 20 ms at
200 concurrent readers with 1,000,000 posts stored; idle RSS under 60 MB.

Program: ` + "`go run ./cmd/atrium-bench load`" + ` (` + "`cmd/atrium-bench/load*.go`" + `). It builds
` + "`./cmd/atrium`" + `, runs ` + "`atrium serve`" + ` as its own process on a copy of the cached
` + "`internal/benchdata`" + ` set (1,000,000 posts by 2,000 accounts, the search benchmark's data;
SQLite file copy, PostgreSQL ` + "`CREATE DATABASE … TEMPLATE`" + `), with ` + "`ATRIUM_POST_RATE=0`" + `,
log level warn and the profiling listener (` + "`ATRIUM_PPROF_LISTEN`" + `) on loopback, and drives it
over HTTP through the JSON API with personal API tokens inserted into the copy (the login form
is rate limited per address and costs an argon2id hash).

` + "```sh" + `
go run ./cmd/atrium-bench load --db both --posts 1000000 --users 200 --duration 60s
` + "```" + `

### The model of "200 concurrent readers"

Each virtual user has its own account (following 20–60 others; the first is the data set's
viewer who follows 50) and token, and keeps its connection alive. In a loop it does one thing,
waits for the answer, then pauses for a time drawn uniformly from 1–3 s (` + "`--think`" + `) — a person
reading. What it does is drawn from the mix (` + "`--mix`" + `, default home 70%, scroll 15%, react 8%,
comment 4%, post 3%): ` + "`home`" + ` is the first page (20 posts) of ` + "`GET /api/v1/timelines/home`" + `,
the API's home timeline, which is the Following feed (the user's own posts, those of the people
and hashtags followed); ` + "`scroll`" + ` the page below the last one read (` + "`max_id`" + `);
` + "`post`" + ` a company post; ` + "`comment`" + ` a reply to a post of the last page read; ` + "`react`" + ` a
favourite on one. Users start spread over one pause; the first ` + "`--warmup`" + ` (30 s) is not
measured. 200 such users offer about 100 requests/s: an open model of what 200 people online at
once ask of a node, not 200 clients without pause, which on 2 cores would only measure
queueing.

A second phase, **closed loop** (` + "`--saturation-users 8`" + `, no pauses, same mix, 20 s), is the
most the node serves on this machine with the load generator beside it: its requests/s are
the saturation throughput, its latencies those of a saturated node.

Latencies are per request as the client sees them (HDR histogram, github.com/HdrHistogram/hdrhistogram-go,
three significant digits). Memory is the node process's VmRSS from ` + "`/proc/<pid>/status`" + `: idle
after start-up, one request, a forced GC (through the profiling listener) and 5 s without
requests; the peak during the open-model phase (sampled every 250 ms); 5 s after it; and
VmHWM. CPU is the node's and the load generator's user+system time over the measured time,
in % of one core (the machine has two, shared with PostgreSQL).
`
