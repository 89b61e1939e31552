package faults

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Result is what one scenario saw. Its JSON form is what `atrium-bench faults --json`
// prints, one object per line.
type Result struct {
	// Scenario is a, b, c or d; Title says what it does.
	Scenario string `json:"scenario"`
	Title    string `json:"title"`
	// Dialect is the sending node's database: sqlite or postgres.
	Dialect string `json:"dialect"`
	// OK is true when nothing was lost or duplicated and every check held.
	OK bool `json:"ok"`
	// Sent is how many posts the sending node accepted (the API answered 200); each is
	// one activity to deliver to every peer.
	Sent int `json:"sent"`
	// Refused is how many writes the node refused with a 5xx (scenario c), and Failed how
	// many got no answer (a hang, a broken connection): both must be zero or clean.
	Refused int `json:"refused"`
	Failed  int `json:"failed"`
	// RefusedStored is how many refused writes were committed nonetheless: not lost, but
	// the client was told they failed (scenario c). Peers must get them too.
	RefusedStored int `json:"refused_stored"`
	// Retried is how many refused or unanswered writes the client sent again after the
	// outage with their Idempotency-Key, and RetriedStored how many of those were answered
	// with the post the first try had made (scenario c). Every write must then be stored
	// exactly once.
	Retried       int `json:"retried"`
	RetriedStored int `json:"retried_stored"`
	// Peers is the receiving side, one entry per peer node.
	Peers []PeerResult `json:"peers"`
	// QueueRows is the sender's delivery rows at the end; MaxQueueRows and MaxPending the
	// most seen while it ran (one row per activity and peer means nothing piled up).
	QueueRows    int `json:"queue_rows"`
	MaxQueueRows int `json:"max_queue_rows"`
	MaxPending   int `json:"max_pending"`
	// MaxAttempts and MaxBackoffMS are the most attempts of one delivery and the longest
	// wait before a retry seen in the queue (scenario b).
	MaxAttempts  int   `json:"max_attempts"`
	MaxBackoffMS int64 `json:"max_backoff_ms"`
	// Latency is the time from a post's acceptance to its arrival at the fast peer
	// (scenario d), in milliseconds.
	Latency *Latency `json:"latency,omitempty"`
	// Phases are the scenario's steps with how long each took.
	Phases []Phase `json:"phases"`
	// Notes say what was done (settings, kills, outages); Problems what went wrong.
	Notes    []string `json:"notes,omitempty"`
	Problems []string `json:"problems,omitempty"`
}

// PeerResult is one receiving node's side of a scenario.
type PeerResult struct {
	Name string `json:"name"`
	// Expected is how many activities should arrive; Requests how many inbox POSTs came,
	// Accepted of them answered 2xx, Refused not.
	Expected int `json:"expected"`
	Requests int `json:"requests"`
	Accepted int `json:"accepted"`
	Refused  int `json:"refused"`
	// Received is how many distinct activities were accepted; Resent how many accepted
	// requests repeated an activity already accepted (ignored as duplicates by the node).
	Received int `json:"received"`
	Resent   int `json:"resent"`
	// Stored is how many of the sender's posts the peer stored, Duplicated how many of
	// them more than once, Lost how many accepted posts it never stored.
	Stored     int `json:"stored"`
	Duplicated int `json:"duplicated"`
	Lost       int `json:"lost"`
	// Dropped is how many requests the scenario itself dropped (lost in a crash).
	Dropped int `json:"dropped"`
	// LostURIs are the first few lost posts.
	LostURIs []string `json:"lost_uris,omitempty"`
}

// Latency summarizes a distribution in milliseconds.
type Latency struct {
	N   int   `json:"n"`
	P50 int64 `json:"p50_ms"`
	P90 int64 `json:"p90_ms"`
	P99 int64 `json:"p99_ms"`
	Max int64 `json:"max_ms"`
}

// Phase is one step of a scenario.
type Phase struct {
	Name string `json:"name"`
	MS   int64  `json:"ms"`
}

// latencyOf summarizes ds.
func latencyOf(ds []time.Duration) *Latency {
	if len(ds) == 0 {
		return &Latency{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(p float64) int64 { return ds[min(len(ds)-1, int(p*float64(len(ds))))].Milliseconds() }
	return &Latency{N: len(ds), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: ds[len(ds)-1].Milliseconds()}
}

// problemf records a failed check.
func (r *Result) problemf(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// notef records what the scenario did.
func (r *Result) notef(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// finish decides OK from the peers' counts and the problems found.
func (r *Result) finish() {
	for _, p := range r.Peers {
		if p.Lost > 0 {
			r.problemf("%s: %d of %d posts lost, e.g. %v", p.Name, p.Lost, p.Expected, p.LostURIs)
		}
		if p.Duplicated > 0 {
			r.problemf("%s: %d posts stored more than once", p.Name, p.Duplicated)
		}
		if p.Stored != p.Expected {
			r.problemf("%s: stored %d posts, want %d", p.Name, p.Stored, p.Expected)
		}
	}
	if r.Failed > 0 {
		r.problemf("%d writes got no answer from the node", r.Failed)
	}
	r.OK = len(r.Problems) == 0
}

// Summary is the printable table of the result.
func (r *Result) Summary() string {
	var b strings.Builder
	verdict := "OK"
	if !r.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "Scenario %s (%s): %s - %s\n", r.Scenario, r.Dialect, r.Title, verdict)
	fmt.Fprintf(&b, "  sent %d posts", r.Sent)
	if r.Refused > 0 || r.Failed > 0 || r.Scenario == "c" {
		fmt.Fprintf(&b, ", %d writes refused with 5xx (%d of them committed nonetheless), %d without answer; %d retried with their Idempotency-Key",
			r.Refused, r.RefusedStored, r.Failed, r.Retried)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  %-10s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n",
		"peer", "expected", "requests", "refused", "dropped", "received", "resent", "stored", "dup", "lost")
	for _, p := range r.Peers {
		fmt.Fprintf(&b, "  %-10s %8d %8d %8d %8d %8d %8d %8d %8d %8d\n",
			p.Name, p.Expected, p.Requests, p.Refused, p.Dropped, p.Received, p.Resent, p.Stored, p.Duplicated, p.Lost)
	}
	fmt.Fprintf(&b, "  queue: %d rows at the end, at most %d rows and %d pending while running", r.QueueRows, r.MaxQueueRows, r.MaxPending)
	if r.MaxAttempts > 0 {
		fmt.Fprintf(&b, "; at most %d attempts of one delivery, longest backoff %s", r.MaxAttempts, time.Duration(r.MaxBackoffMS)*time.Millisecond)
	}
	b.WriteString("\n")
	if l := r.Latency; l != nil {
		fmt.Fprintf(&b, "  latency to the fast peer (n=%d): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms\n", l.N, l.P50, l.P90, l.P99, l.Max)
	}
	var phases []string
	for _, p := range r.Phases {
		phases = append(phases, fmt.Sprintf("%s %s", p.Name, (time.Duration(p.MS)*time.Millisecond).Round(10*time.Millisecond)))
	}
	fmt.Fprintf(&b, "  phases: %s\n", strings.Join(phases, ", "))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  PROBLEM: %s\n", p)
	}
	return b.String()
}
