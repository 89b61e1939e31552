package cluster

import (
	"sync/atomic"
	"testing"
	"time"
)

// Clock is real time moved forward by a settable offset: nodes started with one Clock
// (StartClocked) live in the same moment, so their signatures stay within the allowed
// skew while a test jumps days ahead to let guests expire.
type Clock struct {
	offset atomic.Int64
}

// Now is the real time plus the offset, in UTC.
func (c *Clock) Now() time.Time { return time.Now().UTC().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// StartClocked runs one node per name like Start, all on clock.
func StartClocked(t testing.TB, dialect string, clock *Clock, names ...string) []*Node {
	t.Helper()
	nodes := make([]*Node, len(names))
	for i, name := range names {
		nodes[i] = StartWith(t, dialect, name, Options{Now: clock.Now})
	}
	return nodes
}
