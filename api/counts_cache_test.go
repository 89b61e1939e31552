package api

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/social"
)

func TestCountsCacheReusesWithinTTL(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	c := newCountsCache()
	c.now = func() time.Time { return now }
	reads := 0
	var asked []string
	read := func(ids []string) (map[string]social.AccountStats, error) {
		reads++
		asked = ids
		out := map[string]social.AccountStats{}
		for _, id := range ids {
			if id != "gone" {
				out[id] = social.AccountStats{Posts: reads}
			}
		}
		return out, nil
	}

	steps := []struct {
		advance   time.Duration
		ids       []string
		wantReads int
		wantAsked []string
	}{
		{0, []string{"a"}, 1, []string{"a"}},                            // first lookup reads
		{countsTTL - time.Second, []string{"a", "b"}, 2, []string{"b"}}, // a still fresh: only b read
		{0, []string{"b", "a"}, 2, []string{"b"}},                       // both fresh: no read
		{time.Second, []string{"a", "b"}, 3, []string{"a"}},             // a expired, b fresh
		{-time.Minute, []string{"a", "b"}, 4, []string{"a", "b"}},       // clock went back: not trusted
		{0, []string{"gone"}, 5, []string{"gone"}},                      // nothing to cache
		{0, []string{"gone"}, 6, []string{"gone"}},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		got, err := c.get(s.ids, read)
		if err != nil || reads != s.wantReads || !slices.Equal(asked, s.wantAsked) {
			t.Fatalf("step %d: got %+v, %v after %d reads of %v, want %d of %v", i, got, err, reads, asked, s.wantReads, s.wantAsked)
		}
		for _, id := range s.ids {
			if _, ok := got[id]; ok == (id == "gone") {
				t.Fatalf("step %d: %s in result = %v", i, id, ok)
			}
		}
	}
	if _, err := c.get([]string{"c"}, func([]string) (map[string]social.AccountStats, error) { return nil, errors.New("down") }); err == nil {
		t.Fatal("read error not returned")
	}
	if _, ok := c.entries["c"]; ok {
		t.Error("failed read was cached")
	}
}
