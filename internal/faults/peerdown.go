package faults

import (
	"context"
	"fmt"
	"time"
)

// PeerDown is scenario b: the receiving peer's listener is closed (connections are
// refused) while the sender publishes o.N posts, stays closed for o.Outage, then opens
// again on the same address. Every post must arrive exactly once; meanwhile the queue
// must hold one row per activity (retries update their row, they add none) and every
// retry wait must follow the worker's schedule (10 s doubled per attempt, at most an
// hour, ±20%).
func PeerDown(ctx context.Context, o Options) (*Result, error) {
	r := &Result{Scenario: "b", Title: "receiving peer down for a while, then back", Dialect: o.Dialect}
	w, err := newWorld(ctx, o, r, "", nil, "Receiver")
	if err != nil {
		return nil, err
	}
	defer w.close()
	recv := w.peers[0]
	mon := watch(w.sender, o.lease())

	recv.down()
	downAt := time.Now()
	sent, err := w.sender.burst(ctx, o.N)
	if err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	w.phase("burst (peer down)")
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Until(downAt.Add(o.Outage))):
	}
	if err := recv.up(); err != nil {
		return nil, err
	}
	w.phase("rest of the outage")
	r.notef("peer down for %s while %d posts were published; backoff schedule of the worker unchanged (10 s doubled per attempt, at most 1 h, ±20%% jitter)",
		time.Since(downAt).Round(time.Second), len(sent))
	if st := recv.gate.stats(); st.Requests > 0 {
		r.problemf("%d inbox POSTs reached the peer while it was down", st.Requests)
	}

	// The longest wait left is the last backoff scheduled before the peer came back.
	patience := scheduleLimit(max(mon.attempts(), 1)+1) + time.Minute
	if err := w.sender.waitDrained(ctx, len(sent), patience); err != nil {
		r.problemf("%v", err)
	}
	w.phase("drain after the peer is back")
	mon.finish(r)
	if err := w.collect(ctx, uris(sent)); err != nil {
		return nil, err
	}
	if r.MaxQueueRows > len(sent) {
		r.problemf("the queue grew to %d rows for %d activities", r.MaxQueueRows, len(sent))
	}
	if r.MaxAttempts == 0 {
		r.problemf("no retry was seen while the peer was down")
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}
