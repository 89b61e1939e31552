package social_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
)

func TestTmpTagExplain(t *testing.T) {
	if os.Getenv("TAGS_TMP") == "" {
		t.Skip()
	}
	for _, d := range testrig.Dialects {
		t.Run(d, func(t *testing.T) {
			store := testrig.NewStore(t, d)
			ctx := context.Background()
			set, err := seedFeed(ctx, store)
			if err != nil {
				t.Fatal(err)
			}
			sub := func(s string) string {
				return strings.NewReplacer("VIEWER", set.viewerID, "SPARSE", set.sparseID).Replace(s)
			}
			for _, st := range strings.Split(sub(os.Getenv("TAGS_SETUP")), ";") {
				if strings.TrimSpace(st) == "" {
					continue
				}
				if _, err := store.DB().ExecContext(ctx, st); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			queries := map[string]string{}
			var names []string
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "TAGSQ_") {
					k, q, _ := strings.Cut(kv, "=")
					queries[k] = sub(q)
					names = append(names, k)
				}
			}
			sort.Strings(names)
			times := map[string][]time.Duration{}
			counts := map[string]int{}
			for round := 0; round < 60; round++ {
				for _, k := range names {
					start := time.Now()
					rows, err := store.DB().QueryContext(ctx, queries[k])
					if err != nil {
						t.Fatalf("%s: %v", k, err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					rows.Close()
					if round >= 10 {
						times[k] = append(times[k], time.Since(start))
					}
					counts[k] = n
				}
			}
			for _, k := range names {
				ts := times[k]
				sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
				t.Logf("%-24s rows %3d  min %8s  median %8s", k, counts[k], ts[0].Round(time.Microsecond), ts[len(ts)/2].Round(time.Microsecond))
			}
		})
	}
}
