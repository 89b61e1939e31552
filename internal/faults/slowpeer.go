package faults

import (
	"context"
	"fmt"
	"time"
)

// SlowPeer is scenario d: two peers, one answering every inbox POST only after o.Slow,
// the other at once; the sender publishes o.N posts to both. Every delivery to the fast
// peer must arrive while the slow one is still slow: the worker may give a peer only
// part of its slots. Then the slow peer recovers and must get everything too, exactly
// once (requests it answered after the sender's timeout come again and are ignored).
func SlowPeer(ctx context.Context, o Options) (*Result, error) {
	r := &Result{Scenario: "d", Title: fmt.Sprintf("a slow peer (answers after %s) beside a fast one", o.Slow), Dialect: o.Dialect}
	w, err := newWorld(ctx, o, r, "", nil, "Slow", "Fast")
	if err != nil {
		return nil, err
	}
	defer w.close()
	slow, fast := w.peers[0], w.peers[1]
	slow.gate.setDelay(o.Slow)
	mon := watch(w.sender, o.lease())

	sent, err := w.sender.burst(ctx, o.N)
	if err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	w.phase("burst")
	all := func() bool {
		for _, p := range sent {
			if _, ok := fast.gate.arrivedAt(p.uri); !ok {
				return false
			}
		}
		return true
	}
	// The slow peer's requests end after o.Slow or the sender's timeout (half its
	// lease); a worker whose every slot waits on them would need far longer than this.
	if !waitFor(ctx, 2*time.Minute, all) {
		r.problemf("the fast peer did not get every post within 2 minutes while the other peer was slow")
	}
	var lat []time.Duration
	for _, p := range sent {
		if at, ok := fast.gate.arrivedAt(p.uri); ok {
			lat = append(lat, at.Sub(p.at))
		}
	}
	r.Latency = latencyOf(lat)
	w.phase("fast peer complete")
	slowSoFar := slow.gate.stats()
	r.notef("while slow, the slow peer had accepted %d of %d activities; then it answered at once", slowSoFar.Received, len(sent))

	slow.gate.setDelay(0)
	// Deliveries to the slow peer that timed out wait for their backoff.
	if err := w.sender.waitDrained(ctx, 2*len(sent), scheduleLimit(6)+o.Slow+time.Minute); err != nil {
		r.problemf("%v", err)
	}
	w.phase("slow peer complete")
	mon.finish(r)
	if err := w.collect(ctx, uris(sent)); err != nil {
		return nil, err
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}
