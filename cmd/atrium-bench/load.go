package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/internal/benchdata"
	"github.com/spf13/cobra"
)

// loadOptions are the flags of `atrium-bench load`.
type loadOptions struct {
	dbs         []string
	users       int
	duration    time.Duration
	warmUp      time.Duration
	posts       int
	think       think
	mix         mix
	satUsers    int
	satDuration time.Duration
	pgAdmin     string
	inPlace     bool
	cpuProfile  string
	heapProfile string
	nodeLog     string
}

func loadCommand() *cobra.Command {
	var db, thinkFlag, mixFlag string
	var asJSON bool
	o := loadOptions{}
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Drive a real node with virtual users and report latency, throughput and memory",
		Long: `Builds ./cmd/atrium, runs "atrium serve" on a copy of the benchdata set of --posts posts
(seeded into the cache on first use), and drives it over the JSON API with --users virtual
users. Each user loads a page of its home timeline or acts by --mix, then pauses for a time
drawn uniformly from --think (open model: what a node serves to that many people). A second,
closed-loop phase without pauses (--saturation-users) measures the most it can serve.
Run it from the repository root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.dbs, err = parseDBs(db); err != nil {
				return err
			}
			if o.think, err = parseThink(thinkFlag); err != nil {
				return err
			}
			if o.mix, err = parseMix(mixFlag); err != nil {
				return err
			}
			if o.users < 1 || o.posts < 1 || o.duration <= 0 {
				return fmt.Errorf("--users, --posts and --duration must be positive")
			}
			results, err := runLoad(cmd.Context(), o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(results)
			}
			for _, r := range results {
				writeLoadText(cmd.OutOrStdout(), r)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&db, "db", "both", "database: sqlite, postgres or both")
	f.IntVar(&o.users, "users", 200, "concurrent virtual users (each with its own account and token)")
	f.DurationVar(&o.duration, "duration", 60*time.Second, "measured time of the open-model phase")
	f.DurationVar(&o.warmUp, "warmup", 30*time.Second, "time before measuring starts (users arrive, caches fill)")
	f.IntVar(&o.posts, "posts", 1_000_000, "posts in the data set (benchdata; seeded on first use)")
	f.StringVar(&thinkFlag, "think", "1s-3s", "pause of a user between requests, min-max (uniform)")
	f.StringVar(&mixFlag, "mix", defaultMix, "what a user does after a pause: op=weight,... (ops: home, scroll, post, comment, react)")
	f.IntVar(&o.satUsers, "saturation-users", 8, "users of the closed-loop phase without pauses (0: skip it)")
	f.DurationVar(&o.satDuration, "saturation-duration", 20*time.Second, "measured time of the closed-loop phase")
	f.StringVar(&o.pgAdmin, "pg", defaultPostgresURL(), "PostgreSQL server URL allowed to create databases")
	f.BoolVar(&o.inPlace, "in-place", false, "run on the cached set itself instead of a copy (the run's posts stay in it)")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the node during the open-model phase to this file (suffixed with the database)")
	f.StringVar(&o.heapProfile, "heapprofile", "", "write the node's heap and allocation profiles after the open-model phase to this file (suffixed)")
	f.StringVar(&o.nodeLog, "node-log", "", "write the node's log at info level (a line per request, with its queries and time in the database) to this file (suffixed)")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

// suffixed is path+suffix, or "" for no path.
func suffixed(path, suffix string) string {
	if path == "" {
		return ""
	}
	return path + suffix
}

func defaultPostgresURL() string {
	if u := os.Getenv("ATRIUM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func parseDBs(s string) ([]string, error) {
	switch s {
	case "sqlite", "postgres":
		return []string{s}, nil
	case "both":
		return []string{"sqlite", "postgres"}, nil
	}
	return nil, fmt.Errorf("--db %q: want sqlite, postgres or both", s)
}

// LoadResult is what one load run on one database measured.
type LoadResult struct {
	DB        string    `json:"db"`
	Posts     int       `json:"posts"`
	DataSet   string    `json:"data_set"`
	StartedAt time.Time `json:"started_at"`
	// Model describes the users of the open-model phase in words.
	Model         string `json:"model"`
	LoadAvgBefore string `json:"loadavg_before"`
	LoadAvgAfter  string `json:"loadavg_after"`
	// Idle is the node's memory after start-up, one request, a forced GC (when the node
	// serves profiles) and 5 s without requests; IdleGC says whether the GC ran.
	Idle   memory `json:"idle"`
	IdleGC bool   `json:"idle_gc"`
	// Open is the phase with think time; AfterLoad the memory 5 s after it ended.
	Open       PhaseResult  `json:"open"`
	AfterLoad  memory       `json:"after_load"`
	Saturation *PhaseResult `json:"saturation,omitempty"`
}

// PhaseResult holds the figures of one phase.
type PhaseResult struct {
	Label     string    `json:"label"`
	Users     int       `json:"users"`
	Think     string    `json:"think"`
	Mix       string    `json:"mix"`
	Seconds   float64   `json:"seconds"`
	Requests  int64     `json:"requests"`
	PerSecond float64   `json:"per_second"`
	Ops       []OpStats `json:"ops"`
	// CPU shares are of one core (100% = one core busy all the time; the machine's
	// limit is 100% times its cores).
	NodeCPUPercent      float64 `json:"node_cpu_percent"`
	GeneratorCPUPercent float64 `json:"generator_cpu_percent"`
	PeakRSSKiB          int64   `json:"peak_rss_kib"`
}

// runLoad measures each database in turn.
func runLoad(ctx context.Context, o loadOptions, progress io.Writer) ([]LoadResult, error) {
	work, err := os.MkdirTemp("", "atrium-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	fmt.Fprintln(progress, "load: building ./cmd/atrium")
	bin, err := buildNode(ctx, work)
	if err != nil {
		return nil, err
	}
	var results []LoadResult
	for _, dialect := range o.dbs {
		r, err := loadOne(ctx, o, dialect, bin, work, progress)
		if err != nil {
			return results, fmt.Errorf("%s: %w", dialect, err)
		}
		results = append(results, *r)
	}
	return results, nil
}

func loadOne(ctx context.Context, o loadOptions, dialect, bin, work string, progress io.Writer) (*LoadResult, error) {
	users := max(o.users, o.satUsers)
	data, err := prepareData(ctx, dataOptions{dialect: dialect, posts: o.posts, users: users, pgAdmin: o.pgAdmin,
		inPlace: o.inPlace, workDir: work, progress: progress})
	if err != nil {
		return nil, err
	}
	defer data.cleanup()
	r := &LoadResult{DB: dialect, Posts: data.set.Posts, DataSet: data.set.Name, StartedAt: time.Now().UTC(),
		LoadAvgBefore: loadAverage(),
		Model: fmt.Sprintf("%d users, each with its own account and token, following 20–60 accounts; "+
			"after each answer a user pauses %s (uniform), then: %s. Home = first page of GET /api/v1/timelines/home "+
			"(20 posts), scroll = its next page, post = company post, comment = reply to a post of the last page, "+
			"react = favourite on one.", o.users, o.think, o.mix)}
	node, err := startNode(bin, data.db, benchdata.BaseURL, suffixed(o.nodeLog, "."+dialect))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := node.stop(); err != nil {
			fmt.Fprintln(progress, "load: stop node:", err)
		}
	}()
	if err := node.waitReady(ctx, data.tokens[0], 5*time.Minute); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "load: %s node ready (pid %d)\n", dialect, node.pid())

	drv := newDriver(node.base, users)
	defer drv.close()
	// Idle: one request so that the first page's code paths have run, a collection,
	// then five quiet seconds.
	warm := &user{d: drv, token: data.tokens[0]}
	if _, err := warm.readPage(ctx, ""); err != nil {
		return nil, err
	}
	r.IdleGC = node.gc(ctx)
	time.Sleep(5 * time.Second)
	if r.Idle, err = readMemory(node.pid()); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "load: idle RSS %.1f MiB; %s phase, %d users, %s + %s warm-up\n",
		float64(r.Idle.RSSKiB)/1024, "open-model", o.users, o.duration, o.warmUp)

	open := phase{users: o.users, think: o.think, mix: o.mix, warmUp: o.warmUp, duration: o.duration}
	var profileDone chan error
	if o.cpuProfile != "" {
		profileDone = make(chan error, 1)
		go func() {
			time.Sleep(o.warmUp)
			profileDone <- node.cpuProfile(ctx, o.duration, o.cpuProfile+"."+dialect)
		}()
	}
	r.Open = measurePhase(ctx, drv, node, open, data.tokens, "open model: users with think time", 1)
	if o.heapProfile != "" {
		// The heap as the load leaves it, and every allocation since start.
		for _, what := range []string{"heap", "allocs"} {
			if err := node.fetchProfile(ctx, what, o.heapProfile+"."+dialect+"."+what); err != nil {
				fmt.Fprintln(progress, "load: heap profile:", err)
			}
		}
	}
	if profileDone != nil {
		if err := <-profileDone; err != nil {
			fmt.Fprintln(progress, "load: cpu profile:", err)
		}
	}
	time.Sleep(5 * time.Second)
	if r.AfterLoad, err = readMemory(node.pid()); err != nil {
		return nil, err
	}
	if o.satUsers > 0 {
		fmt.Fprintf(progress, "load: closed-loop phase, %d users without pauses, %s\n", o.satUsers, o.satDuration)
		sat := phase{users: o.satUsers, think: think{}, mix: o.mix, warmUp: 3 * time.Second, duration: o.satDuration}
		res := measurePhase(ctx, drv, node, sat, data.tokens, "closed loop, no think time: maximum throughput", 2)
		r.Saturation = &res
	}
	r.LoadAvgAfter = loadAverage()
	return r, ctx.Err()
}

// measurePhase runs a phase and adds the CPU used by the node and by this process.
func measurePhase(ctx context.Context, drv *driver, node *nodeProcess, p phase, tokens []string, label string, seed uint64) PhaseResult {
	rec := newRecorder()
	sampler := sampleRSS(node.pid())
	// CPU is counted over the measured part only: from the end of the warm-up.
	var nodeCPU0, selfCPU0 time.Duration
	cpuMark := time.AfterFunc(p.warmUp, func() {
		nodeCPU0, _ = cpuTime(node.pid())
		selfCPU0 = selfCPU()
	})
	drv.run(ctx, p, tokens, rec, seed)
	cpuMark.Stop()
	nodeCPU1, _ := cpuTime(node.pid())
	selfCPU1 := selfCPU()
	res := PhaseResult{Label: label, Users: p.users, Think: p.think.String(), Mix: p.mix.String(),
		Seconds: p.duration.Seconds(), Ops: rec.summary(p.duration), PeakRSSKiB: sampler.end()}
	for _, op := range res.Ops {
		res.Requests += op.Requests
	}
	res.PerSecond = float64(res.Requests) / p.duration.Seconds()
	res.NodeCPUPercent = 100 * (nodeCPU1 - nodeCPU0).Seconds() / p.duration.Seconds()
	res.GeneratorCPUPercent = 100 * (selfCPU1 - selfCPU0).Seconds() / p.duration.Seconds()
	return res
}

// writeLoadText prints one result as plain tables.
func writeLoadText(w io.Writer, r LoadResult) {
	fmt.Fprintf(w, "\n== %s, %d posts (%s), load average before %s, after %s\n", r.DB, r.Posts, r.DataSet, r.LoadAvgBefore, r.LoadAvgAfter)
	fmt.Fprintf(w, "model: %s\n", r.Model)
	gc := "forced GC"
	if !r.IdleGC {
		gc = "no forced GC (node without pprof listener)"
	}
	fmt.Fprintf(w, "memory: idle %s (%s), peak under load %s, 5 s after load %s, high-water mark %s\n",
		mib(r.Idle.RSSKiB), gc, mib(r.Open.PeakRSSKiB), mib(r.AfterLoad.RSSKiB), mib(r.AfterLoad.HWMKiB))
	for _, p := range []*PhaseResult{&r.Open, r.Saturation} {
		if p == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s — %d users, think %s, %.0f s: %.1f requests/s; CPU node %.0f%%, load generator %.0f%% (of one core)\n",
			p.Label, p.Users, p.Think, p.Seconds, p.PerSecond, p.NodeCPUPercent, p.GeneratorCPUPercent)
		fmt.Fprintf(w, "%-8s %9s %8s %8s %8s %8s %8s  %s\n", "op", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "answers")
		for _, op := range p.Ops {
			fmt.Fprintf(w, "%-8s %9d %8.1f %8.2f %8.2f %8.2f %8.2f  %s\n", op.Op, op.Requests, op.PerSecond,
				op.P50ms, op.P90ms, op.P99ms, op.MaxMs, statusList(op.Statuses))
		}
	}
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// statusList prints answers as "200×1234 500×2".
func statusList(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
