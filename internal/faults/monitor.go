package faults

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// monitor samples the sender's delivery queue while a scenario runs: how many rows and
// pending rows there are, and the attempts and retry waits of the rows being retried.
type monitor struct {
	s     *sender
	lease time.Duration
	stop  context.CancelFunc
	done  chan struct{}

	mu          sync.Mutex
	maxRows     int
	maxPending  int
	maxAttempts int
	maxBackoff  time.Duration
	// offSchedule are retry waits longer than the worker's schedule allows.
	offSchedule []string
}

func watch(s *sender, lease time.Duration) *monitor {
	ctx, cancel := context.WithCancel(context.Background())
	m := &monitor{s: s, lease: lease, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			m.sample(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	return m
}

// sample reads the queue once; a failed read (the database is down) is skipped.
func (m *monitor) sample(ctx context.Context) {
	var rows []struct {
		Status        model.DeliveryStatus `bun:"status"`
		Attempts      int                  `bun:"attempts"`
		NextAttemptAt time.Time            `bun:"next_attempt_at"`
		UpdatedAt     time.Time            `bun:"updated_at"`
	}
	q, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := m.s.bun.NewSelect().Table("deliveries").Column("status", "attempts", "next_attempt_at", "updated_at").Scan(q, &rows); err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maxRows = max(m.maxRows, len(rows))
	pending := 0
	for _, r := range rows {
		if r.Status != model.DeliveryPending {
			continue
		}
		pending++
		if r.Attempts == 0 {
			continue
		}
		m.maxAttempts = max(m.maxAttempts, r.Attempts)
		wait := r.NextAttemptAt.Sub(r.UpdatedAt)
		if wait == m.lease {
			continue // claimed, being sent: the lease, not a backoff
		}
		m.maxBackoff = max(m.maxBackoff, wait)
		if limit := scheduleLimit(r.Attempts); wait > limit && len(m.offSchedule) < 5 {
			m.offSchedule = append(m.offSchedule, fmt.Sprintf("attempt %d waits %s, schedule allows %s", r.Attempts, wait, limit))
		}
	}
	m.maxPending = max(m.maxPending, pending)
}

// scheduleLimit is the longest wait the worker's backoff allows after attempts failed
// attempts: 10 s doubled per attempt, capped at an hour, plus 20% jitter.
func scheduleLimit(attempts int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour) * 12 / 10
}

// finish stops sampling and writes what was seen into r.
func (m *monitor) finish(r *Result) {
	m.stop()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	r.MaxQueueRows = max(r.MaxQueueRows, m.maxRows)
	r.MaxPending = max(r.MaxPending, m.maxPending)
	r.MaxAttempts = max(r.MaxAttempts, m.maxAttempts)
	r.MaxBackoffMS = max(r.MaxBackoffMS, m.maxBackoff.Milliseconds())
	for _, s := range m.offSchedule {
		r.problemf("backoff beyond the schedule: %s", s)
	}
}

// attempts is the most attempts of one delivery seen so far.
func (m *monitor) attempts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.maxAttempts
}
