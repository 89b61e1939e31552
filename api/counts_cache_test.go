package api

import (
	"errors"
	"testing"
	"time"
)

func TestCountsCacheReusesWithinTTL(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	c := newCountsCache()
	c.now = func() time.Time { return now }
	reads := 0
	read := func() (accountStats, error) { reads++; return accountStats{statuses: reads}, nil }

	steps := []struct {
		advance   time.Duration
		wantReads int
	}{
		{0, 1},                       // first lookup reads
		{countsTTL - time.Second, 1}, // still fresh
		{time.Second, 2},             // expired: read again
		{-time.Minute, 3},            // clock went back: not trusted
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		got, err := c.get("a", read)
		if err != nil || reads != s.wantReads || got.statuses != reads {
			t.Fatalf("step %d: got %+v, %v after %d reads, want %d", i, got, err, reads, s.wantReads)
		}
	}
	if _, err := c.get("b", func() (accountStats, error) { return accountStats{}, errors.New("down") }); err == nil {
		t.Fatal("read error not returned")
	}
	if _, ok := c.entries["b"]; ok {
		t.Error("failed read was cached")
	}
}
