package main

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to 2 minutes with three significant
// digits: percentiles are exact to 0.1%, and recording costs no allocation.
const (
	histLowest  = 1
	histHighest = int64(2 * time.Minute / time.Microsecond)
	histDigits  = 3
)

// recorder collects the latencies and answers of one phase of the load, per operation.
// It is shared by all virtual users, so every method locks.
type recorder struct {
	mu      sync.Mutex
	ops     map[string]*hdrhistogram.Histogram
	answers map[string]map[string]int // operation → status ("200", "500", "error") → count
}

func newRecorder() *recorder {
	return &recorder{ops: map[string]*hdrhistogram.Histogram{}, answers: map[string]map[string]int{}}
}

// record adds one request: its operation, latency and status ("200", or "error" when no
// answer came).
func (r *recorder) record(op string, d time.Duration, status string) {
	us := max(int64(d/time.Microsecond), histLowest)
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.ops[op]
	if h == nil {
		h = hdrhistogram.New(histLowest, histHighest, histDigits)
		r.ops[op] = h
		r.answers[op] = map[string]int{}
	}
	_ = h.RecordValue(min(us, histHighest)) // only values above the range fail: clamped
	r.answers[op][status]++
}

// OpStats are the figures of one operation over a phase.
type OpStats struct {
	Op        string         `json:"op"`
	Requests  int64          `json:"requests"`
	PerSecond float64        `json:"per_second"`
	P50ms     float64        `json:"p50_ms"`
	P90ms     float64        `json:"p90_ms"`
	P99ms     float64        `json:"p99_ms"`
	MaxMs     float64        `json:"max_ms"`
	MeanMs    float64        `json:"mean_ms"`
	Statuses  map[string]int `json:"statuses"`
	Errors    int            `json:"errors"` // answers other than 2xx, and failed requests
}

// summary returns the figures of every operation, sorted by name, over a phase of the
// given length.
func (r *recorder) summary(elapsed time.Duration) []OpStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []OpStats
	for op, h := range r.ops {
		s := OpStats{
			Op:       op,
			Requests: h.TotalCount(),
			P50ms:    usToMs(h.ValueAtQuantile(50)),
			P90ms:    usToMs(h.ValueAtQuantile(90)),
			P99ms:    usToMs(h.ValueAtQuantile(99)),
			MaxMs:    usToMs(h.Max()),
			MeanMs:   h.Mean() / 1000,
			Statuses: map[string]int{},
		}
		if elapsed > 0 {
			s.PerSecond = float64(s.Requests) / elapsed.Seconds()
		}
		for status, n := range r.answers[op] {
			s.Statuses[status] = n
			if len(status) != 3 || status[0] != '2' {
				s.Errors += n
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}

func usToMs(us int64) float64 { return float64(us) / 1000 }

// statusOf names an answer for the error table: its code, or "error" without one.
func statusOf(code int, err error) string {
	if err != nil {
		return "error"
	}
	return fmt.Sprint(code)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
