package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// gate stands in front of a peer node and counts its inbox POSTs per activity and their
// answers. It can also hold requests after the first few (a crash mid-burst) and delay
// every request (a slow peer).
type gate struct {
	mu sync.Mutex
	// holdAfter, when >= 0, lets that many requests through, then holds the rest until
	// release; of the held ones every second is dropped, the others handled.
	holdAfter int
	released  chan struct{}
	once      sync.Once
	opened    bool
	// delay is how long each request waits before it is handled.
	delay time.Duration

	seen, holding, dropped int
	statuses               map[int]int
	perID                  map[string]int
	// arrived is when each object (the post's URI) was first accepted.
	arrived map[string]time.Time
}

func newGate() *gate {
	return &gate{holdAfter: -1, released: make(chan struct{}), statuses: map[int]int{}, perID: map[string]int{}, arrived: map[string]time.Time{}}
}

// wrap is the middleware.
func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/inbox") {
			next.ServeHTTP(w, r)
			return
		}
		// The whole body is read first, so a held request can be handled after its
		// sender has gone.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		var act struct {
			ID     string          `json:"id"`
			Object json.RawMessage `json:"object"`
		}
		_ = json.Unmarshal(body, &act)
		g.mu.Lock()
		g.seen++
		hold := g.holdAfter >= 0 && g.seen > g.holdAfter && !g.opened
		drop := false
		if hold {
			g.holding++
			drop = g.holding%2 == 0
		}
		delay := g.delay
		g.mu.Unlock()
		if hold {
			<-g.released
		}
		if delay > 0 {
			time.Sleep(delay)
		}
		if drop {
			g.mu.Lock()
			g.dropped++
			g.mu.Unlock()
			http.Error(w, "lost", http.StatusServiceUnavailable)
			return
		}
		// Handled to the end even when the sender has given up or died, like a request
		// that was being processed at that moment.
		r = r.WithContext(context.WithoutCancel(r.Context()))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		now := time.Now()
		g.mu.Lock()
		defer g.mu.Unlock()
		g.statuses[rec.status]++
		if rec.status >= 200 && rec.status < 300 {
			g.perID[act.ID]++
			if obj := objectID(act.Object); obj != "" {
				if _, ok := g.arrived[obj]; !ok {
					g.arrived[obj] = now
				}
			}
		}
	})
}

// objectID reads an activity's object as an id or an object with an id.
func objectID(raw json.RawMessage) string {
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.ID
}

// holdFrom makes the gate hold requests after the first n.
func (g *gate) holdFrom(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holdAfter = n
}

// setDelay sets how long each request waits before it is handled.
func (g *gate) setDelay(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.delay = d
}

// release lets held requests go on and future ones through; safe to call twice.
func (g *gate) release() {
	g.once.Do(func() {
		g.mu.Lock()
		g.opened = true
		g.mu.Unlock()
		close(g.released)
	})
}

// held is how many requests the gate has held so far; passed how many went through
// before it closed.
func (g *gate) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.holding
}

func (g *gate) passed() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return min(g.seen, max(g.holdAfter, 0))
}

// arrivedAt is when the object uri was first accepted.
func (g *gate) arrivedAt(uri string) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.arrived[uri]
	return t, ok
}

// stats is what crossed the gate so far.
func (g *gate) stats() PeerResult {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := PeerResult{Dropped: g.dropped, Requests: g.dropped}
	for code, n := range g.statuses {
		r.Requests += n
		if code >= 200 && code < 300 {
			r.Accepted += n
		} else {
			r.Refused += n
		}
	}
	r.Refused += g.dropped
	for _, n := range g.perID {
		r.Received++
		r.Resent += n - 1
	}
	return r
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
