package faults

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// world is a scenario's nodes: the sender process and its in-process peers.
type world struct {
	o      Options
	dir    string
	peers  []*peer
	sender *sender
	clean  []func()
	r      *Result
	last   time.Time
}

// newWorld starts peers named names and a sender publishing to them; the sender's
// database is on senderPG when set (scenario c), on the dialect of o otherwise.
func newWorld(ctx context.Context, o Options, r *Result, senderPG string, extra []string, names ...string) (*world, error) {
	w := &world{o: o, r: r, last: time.Now()}
	dir, clean, err := scratch(r.Scenario)
	if err != nil {
		return nil, err
	}
	w.dir = dir
	w.clean = append(w.clean, clean)
	for _, name := range names {
		p, err := startPeer(ctx, name, o.Dialect, o.PostgresURL, dir)
		if err != nil {
			w.close()
			return nil, err
		}
		w.peers = append(w.peers, p)
		w.clean = append(w.clean, p.close)
	}
	server := o.PostgresURL
	if senderPG != "" {
		server = senderPG
	}
	if err := os.MkdirAll(senderDir(dir), 0o750); err != nil {
		w.close()
		return nil, err
	}
	db, err := newNodeDB(ctx, o.Dialect, server, senderDir(dir))
	if err != nil {
		w.close()
		return nil, err
	}
	s, err := startSender(ctx, o, db, w.peers, extra...)
	if err != nil {
		db.close()
		w.close()
		return nil, err
	}
	w.sender = s
	w.clean = append(w.clean, s.close)
	w.phase("setup")
	return w, nil
}

// close stops everything, the sender first.
func (w *world) close() {
	for i := len(w.clean) - 1; i >= 0; i-- {
		w.clean[i]()
	}
}

// phase ends a step of the scenario.
func (w *world) phase(name string) {
	now := time.Now()
	d := now.Sub(w.last)
	w.r.Phases = append(w.r.Phases, Phase{Name: name, MS: d.Milliseconds()})
	w.last = now
	w.logf("scenario %s (%s): %s done in %s", w.r.Scenario, w.o.Dialect, name, d.Round(time.Millisecond))
}

// logf writes a progress line.
func (w *world) logf(format string, args ...any) {
	if w.o.Log != nil {
		fmt.Fprintf(w.o.Log, format+"\n", args...)
	}
}

// collect counts every peer's side against the accepted posts and checks the sender's
// queue, then decides the result.
func (w *world) collect(ctx context.Context, sent []string) error {
	w.r.Sent = len(sent)
	return w.collectAll(ctx, sent)
}

// collectAll is collect with the posts every peer must have: the accepted ones and any
// other post in the sender's database.
func (w *world) collectAll(ctx context.Context, expected []string) error {
	for _, p := range w.peers {
		pr, err := p.result(ctx, w.sender.url, expected)
		if err != nil {
			return err
		}
		w.r.Peers = append(w.r.Peers, pr)
		if pr.Refused > 0 {
			refusals := strings.Split(linesWith(p.logs.String(), "federation request refused"), "\n")
			w.r.notef("%s refused %d requests; its log of the first: %s", p.name, pr.Refused, strings.Join(refusals[:min(3, len(refusals))], "\n"))
		}
	}
	if err := w.sender.checkRows(ctx, w.r, len(expected), len(w.peers)); err != nil {
		return err
	}
	w.r.finish()
	return nil
}

// waitFor polls cond every 50 ms until it holds or patience runs out.
func waitFor(ctx context.Context, patience time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
