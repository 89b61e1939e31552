package faults

import (
	"context"
	"fmt"
	"time"
)

// SIGKILLMidBurst is scenario a: the sender publishes o.N posts; the receiver lets a
// third of the deliveries through, then holds every inbox POST, so the sender's worker
// has requests in flight when it is killed with SIGKILL. Then half the held requests are
// handled (the receiver acted, the sender never heard) and half dropped (lost in the
// crash); the sender is restarted on the same data and must send the lost ones again
// once their lease runs out, while the receiver ignores the repeats of the others.
// Every post must arrive exactly once.
func SIGKILLMidBurst(ctx context.Context, o Options) (*Result, error) {
	r := &Result{Scenario: "a", Title: "SIGKILL of the sending node mid-burst, restart", Dialect: o.Dialect}
	w, err := newWorld(ctx, o, r, "", nil, "Receiver")
	if err != nil {
		return nil, err
	}
	defer w.close()
	recv := w.peers[0]
	recv.gate.holdFrom(o.N / 3)
	mon := watch(w.sender, o.lease())

	sent, err := w.sender.burst(ctx, o.N)
	if err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	w.phase("burst")
	if !waitFor(ctx, 60*time.Second, func() bool { return recv.gate.held() >= 2 }) {
		return nil, fmt.Errorf("the worker never had two deliveries in flight at the gate (held %d)", recv.gate.held())
	}
	passed, held := recv.gate.passed(), recv.gate.held()
	w.sender.proc.kill()
	r.notef("SIGKILL after %d of %d deliveries passed, %d held in flight; lease %s", passed, o.N, held, o.lease())
	if passed >= o.N {
		r.problemf("every delivery passed before the kill: the crash did not interrupt the burst")
	}
	w.phase("kill")

	recv.gate.release()
	if err := w.sender.proc.start(); err != nil {
		return nil, fmt.Errorf("restart sender: %w", err)
	}
	w.phase("restart")
	// Rows claimed at the moment of the kill come back only when their lease runs out.
	if err := w.sender.waitDrained(ctx, len(sent), o.lease()+time.Duration(o.N)*100*time.Millisecond+60*time.Second); err != nil {
		r.problemf("%v", err)
	}
	w.phase("drain")
	mon.finish(r)
	if err := w.collect(ctx, uris(sent)); err != nil {
		return nil, err
	}
	st := r.Peers[0]
	if st.Received != len(sent) {
		r.problemf("receiver accepted %d distinct activities, want %d", st.Received, len(sent))
	}
	if st.Refused != st.Dropped {
		r.problemf("receiver refused %d inbox POSTs beyond the %d dropped ones", st.Refused-st.Dropped, st.Dropped)
	}
	var processed int
	if err := recv.node.Store.DB().NewSelect().Table("processed_activities").ColumnExpr("COUNT(*)").
		Where("uri LIKE ?", w.sender.url+"/%").Scan(ctx, &processed); err != nil {
		return nil, err
	}
	if processed != len(sent) {
		r.problemf("receiver processed %d activities of the sender, want %d", processed, len(sent))
	}
	r.OK = len(r.Problems) == 0
	if !r.OK {
		r.notef("sender log tail:\n%s", w.sender.logTail())
	}
	return r, nil
}
