package storage

import (
	"errors"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestTTLCache(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	c := newTTLCache[string]()
	c.now = clock.now
	reads := 0
	value := "v1"
	read := func() (*string, error) {
		reads++
		v := value
		return &v, nil
	}
	get := func() string {
		t.Helper()
		v, err := c.lookup("k", read)
		if err != nil {
			t.Fatal(err)
		}
		return *v
	}

	tests := []struct {
		name      string
		step      func()
		want      string
		wantReads int
	}{
		{"first lookup reads", func() {}, "v1", 1},
		{"within the TTL from the cache", func() { value = "v2"; clock.t = clock.t.Add(CacheTTL - time.Millisecond) }, "v1", 1},
		{"at the TTL reads again", func() { clock.t = clock.t.Add(time.Millisecond) }, "v2", 2},
		{"invalidate reads again", func() { value = "v3"; c.invalidate() }, "v3", 3},
		{"clock going back reads again", func() { value = "v4"; clock.t = clock.t.Add(-time.Second) }, "v4", 4},
	}
	for _, tt := range tests {
		tt.step()
		if got := get(); got != tt.want || reads != tt.wantReads {
			t.Errorf("%s: got %q after %d reads, want %q after %d", tt.name, got, reads, tt.want, tt.wantReads)
		}
	}

	// A read that an invalidation overtakes is returned but not kept.
	value = "stale"
	c.invalidate()
	if v, _ := c.lookup("k", func() (*string, error) { c.invalidate(); return read() }); *v != "stale" {
		t.Errorf("overtaken read returned %q", *v)
	}
	value = "fresh"
	if got := get(); got != "fresh" {
		t.Errorf("after an overtaken read: %q, want fresh", got)
	}

	// Errors are not kept.
	errRead := errors.New("down")
	if _, err := c.lookup("e", func() (*string, error) { return nil, errRead }); !errors.Is(err, errRead) {
		t.Fatalf("error lookup: %v", err)
	}
	if v, err := c.lookup("e", read); err != nil || *v != "fresh" {
		t.Errorf("after an error: %v, %v", v, err)
	}

	// Callers get copies.
	v, _ := c.lookup("k", read)
	*v = "changed"
	if got := get(); got != "fresh" {
		t.Errorf("a caller's change reached the cache: %q", got)
	}
}
