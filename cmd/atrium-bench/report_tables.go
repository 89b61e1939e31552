package main

import (
	"fmt"
	"sort"
	"strings"
)

var dialectTitle = map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}

// benchTable renders the runs of one `go test -bench` output as a Markdown table. Runs of
// the same name (-count) are shown as min / median / max. When every run measures one
// figure per database ("…/sqlite/x" and "…/postgres/x"), databases become columns;
// otherwise there is one row per benchmark and figure.
func benchTable(out benchOutput) string {
	type series struct {
		name  string
		units []string
		vals  map[string]spread
	}
	var order []*series
	byName := map[string]*series{}
	for _, r := range out.Runs {
		s := byName[r.Name]
		if s == nil {
			s = &series{name: r.Name, vals: map[string]spread{}}
			byName[r.Name] = s
			order = append(order, s)
		}
		for _, u := range shownUnits(r.Metrics) {
			if _, seen := s.vals[u]; !seen {
				s.units = append(s.units, u)
			}
			s.vals[u] = append(s.vals[u], r.Metrics[u])
		}
	}
	if len(order) == 0 {
		return "_No benchmark results in the output._\n"
	}
	var b strings.Builder
	if unit, ok := oneUnitPerDialect(order, func(s *series) (string, []string) { return s.name, s.units }); ok {
		fmt.Fprintf(&b, "| benchmark (%s) | SQLite | PostgreSQL |\n| --- | ---: | ---: |\n", unit)
		var rows []string
		cells := map[string]map[string]string{}
		for _, s := range order {
			dialect, rest := splitDialect(s.name)
			if cells[rest] == nil {
				cells[rest] = map[string]string{}
				rows = append(rows, rest)
			}
			cells[rest][dialect] = s.vals[unit].String()
		}
		for _, row := range rows {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", row, orDash(cells[row]["sqlite"]), orDash(cells[row]["postgres"]))
		}
		return b.String()
	}
	b.WriteString("| benchmark | figure | value |\n| --- | --- | ---: |\n")
	for _, s := range order {
		for _, u := range s.units {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.name, u, s.vals[u].String())
		}
	}
	return b.String()
}

// shownUnits are the metrics worth a column: ns/op goes when a benchmark reports its own
// ms/op or sets it to zero (a batch benchmark reporting latencies instead).
func shownUnits(m map[string]float64) []string {
	var units []string
	for _, u := range sortedKeys(m) {
		if u == "ns/op" && (m[u] == 0 || hasKey(m, "ms/op")) {
			continue
		}
		units = append(units, u)
	}
	// Percentiles in their order, before the rest.
	rank := func(u string) int {
		for i, p := range []string{"p50-ms", "p90-ms", "p99-ms", "max-ms"} {
			if u == p {
				return i
			}
		}
		return 4
	}
	sort.SliceStable(units, func(i, j int) bool { return rank(units[i]) < rank(units[j]) })
	return units
}

func hasKey(m map[string]float64, k string) bool { _, ok := m[k]; return ok }

// oneUnitPerDialect reports whether every series is "<Bench>/<dialect>/<rest>" with the
// same single unit, and returns it.
func oneUnitPerDialect[S any](series []S, get func(S) (string, []string)) (string, bool) {
	unit := ""
	for _, s := range series {
		name, units := get(s)
		if len(units) != 1 {
			return "", false
		}
		if d, _ := splitDialect(name); d == "" {
			return "", false
		}
		if unit != "" && units[0] != unit {
			return "", false
		}
		unit = units[0]
	}
	return unit, unit != ""
}

// splitDialect reads "BenchmarkX/sqlite/first_page" as ("sqlite", "first_page").
func splitDialect(name string) (dialect, rest string) {
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 || dialectTitle[parts[1]] == "" {
		return "", name
	}
	if len(parts) == 2 {
		return parts[1], strings.TrimPrefix(parts[0], "Benchmark")
	}
	return parts[1], parts[2]
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// loggedTable renders logged latency lines (the search benchmark) with the databases as
// column groups: p50 / p99 / max in ms.
func loggedTable(figs []loggedFigure) string {
	if len(figs) == 0 {
		return ""
	}
	var rows []string
	cells := map[string]map[string]loggedFigure{}
	for _, f := range figs {
		dialect, _ := splitDialect(f.Bench)
		if cells[f.Query] == nil {
			cells[f.Query] = map[string]loggedFigure{}
			rows = append(rows, f.Query)
		}
		cells[f.Query][dialect] = f
	}
	var b strings.Builder
	b.WriteString("| query | SQLite p50 | SQLite p99 | SQLite max | PostgreSQL p50 | PostgreSQL p99 | PostgreSQL max |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, q := range rows {
		fmt.Fprintf(&b, "| %s", q)
		for _, d := range []string{"sqlite", "postgres"} {
			f, ok := cells[q][d]
			if !ok {
				b.WriteString(" | — | — | —")
				continue
			}
			fmt.Fprintf(&b, " | %s | %s | %s", formatFigure(f.P50ms), formatFigure(f.P99ms), formatFigure(f.MaxMs))
		}
		b.WriteString(" |\n")
	}
	b.WriteString("\nMilliseconds per query.\n")
	return b.String()
}

// loadTables renders load results: per database the memory, the open-model phase and the
// closed-loop phase.
func loadTables(results []LoadResult) string {
	var b strings.Builder
	for _, r := range results {
		fmt.Fprintf(&b, "**%s**, %s posts (`%s`), load average %s before, %s after.\n\n",
			dialectTitle[r.DB], groupThousands(fmt.Sprint(r.Posts)), r.DataSet, r.LoadAvgBefore, r.LoadAvgAfter)
		idle := "after start-up, one request, a forced GC and 5 s without requests"
		if !r.IdleGC {
			idle = "after start-up, one request and 5 s without requests (no forced GC)"
		}
		fmt.Fprintf(&b, "| memory of the node (VmRSS) | MiB |\n| --- | ---: |\n")
		fmt.Fprintf(&b, "| idle (%s) | %.1f |\n", idle, float64(r.Idle.RSSKiB)/1024)
		fmt.Fprintf(&b, "| peak under the open-model load (sampled every 250 ms) | %.1f |\n", float64(r.Open.PeakRSSKiB)/1024)
		fmt.Fprintf(&b, "| 5 s after that load | %.1f |\n", float64(r.AfterLoad.RSSKiB)/1024)
		fmt.Fprintf(&b, "| high-water mark (VmHWM) by then | %.1f |\n\n", float64(r.AfterLoad.HWMKiB)/1024)
		for _, p := range []*PhaseResult{&r.Open, r.Saturation} {
			if p == nil {
				continue
			}
			fmt.Fprintf(&b, "%s: %d users, think time %s, mix %s; %.0f s measured: **%.1f requests/s**; "+
				"CPU of the node %.0f%%, of the load generator %.0f%% (100%% = one core).\n\n",
				capitalize(p.Label), p.Users, p.Think, p.Mix, p.Seconds, p.PerSecond, p.NodeCPUPercent, p.GeneratorCPUPercent)
			b.WriteString("| operation | requests | per s | p50 ms | p90 ms | p99 ms | max ms | answers |\n")
			b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
			for _, op := range p.Ops {
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", op.Op, op.Requests, formatFigure(op.PerSecond),
					formatFigure(op.P50ms), formatFigure(op.P90ms), formatFigure(op.P99ms), formatFigure(op.MaxMs), statusList(op.Statuses))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
