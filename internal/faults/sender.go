package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/uptrace/bun"
)

// sender is the node under test: an `atrium serve` process with one member, alice, who
// publishes company posts through the JSON API, delivered to every peer.
type sender struct {
	proc  *process
	url   string
	token string
	db    *nodeDB
	bun   *bun.DB
}

// startSender configures the sender node (peers, user, token through `atrium admin`) on
// db and starts it. extra are ATRIUM_* settings on top of the scenario's.
func startSender(ctx context.Context, o Options, db *nodeDB, peers []*peer, extra ...string) (*sender, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	origin := "http://" + addr
	env := append([]string{
		"ATRIUM_LISTEN=" + addr, "ATRIUM_BASE_URL=" + origin, "ATRIUM_DATA_DIR=" + db.dir,
		"ATRIUM_DATABASE_URL=" + db.url, "ATRIUM_SITE_NAME=Sender", "ATRIUM_LOG_LEVEL=info",
		"ATRIUM_DELIVERY_LEASE=" + o.lease().String(),
		// One account posts as fast as it can: no posting rate limit here.
		"ATRIUM_POST_RATE=0",
	}, o.AtriumEnv...)
	env = append(env, extra...)
	s := &sender{url: origin, db: db, proc: &process{bin: o.Atrium, env: env, url: origin, logs: &lockedBuffer{}}}
	for _, p := range peers {
		if _, err := s.proc.runOnce(ctx, "admin", "peer", "add", p.url, "--trust", "sibling", "--name", p.name); err != nil {
			return nil, err
		}
		if err := p.allow(ctx, origin, "Sender"); err != nil {
			return nil, err
		}
	}
	if _, err := s.proc.runOnce(ctx, "admin", "user", "create", "--username", "alice", "--email", "alice@example.com"); err != nil {
		return nil, err
	}
	out, err := s.proc.runOnce(ctx, "admin", "token", "create", "--username", "alice")
	if err != nil {
		return nil, err
	}
	s.token = strings.TrimSpace(out)
	if err := s.proc.start(); err != nil {
		return nil, fmt.Errorf("start sender: %w\n%s", err, s.proc.logs.String())
	}
	if s.bun, err = db.open(); err != nil {
		s.proc.kill()
		return nil, err
	}
	return s, nil
}

// close stops the sender and drops its database.
func (s *sender) close() {
	s.proc.stop()
	if s.bun != nil {
		_ = s.bun.Close()
	}
	s.db.close()
}

// logTail is the end of the sender's output, for problem reports.
func (s *sender) logTail() string {
	l := s.proc.logs.String()
	if len(l) > 4000 {
		l = l[len(l)-4000:]
	}
	return l
}

// published is one post the API accepted, and when.
type published struct {
	uri string
	at  time.Time
}

// burst publishes n posts, four at a time, and returns those the API accepted; the
// first error stops nothing but is returned.
func (s *sender) burst(ctx context.Context, n int) ([]published, error) {
	client := &http.Client{Timeout: 60 * time.Second}
	jobs := make(chan int)
	var mu sync.Mutex
	var out []published
	var firstErr error
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				uri, _, _, err := s.publish(ctx, client, fmt.Sprintf("Burst post %d of %d", i+1, n), "")
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					out = append(out, published{uri: uri, at: time.Now()})
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out, firstErr
}

// publish posts text as one company status, with an Idempotency-Key header unless key
// is "", and returns its URI, or the HTTP status of the refusal (0 when there was no
// answer), and the request id the node logged it under.
func (s *sender) publish(ctx context.Context, client *http.Client, text, key string) (uri string, status int, requestID string, err error) {
	body, _ := json.Marshal(map[string]string{"status": text, "visibility": "company"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/api/v1/statuses", bytes.NewReader(body))
	if err != nil {
		return "", 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, "", err
	}
	defer resp.Body.Close()
	requestID = resp.Header.Get("X-Request-Id")
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode, requestID, fmt.Errorf("POST /api/v1/statuses: %d %s", resp.StatusCode, raw)
	}
	var st struct {
		URI string `json:"uri"`
	}
	if err := json.Unmarshal(raw, &st); err != nil || st.URI == "" {
		return "", resp.StatusCode, requestID, fmt.Errorf("status without uri: %s", raw)
	}
	return st.URI, resp.StatusCode, requestID, nil
}

// counts are the sender's delivery rows per state.
func (s *sender) counts(ctx context.Context) (map[model.DeliveryStatus]int, error) {
	return storage.New(s.bun).DeliveryCounts(ctx)
}

// waitDrained waits until want rows are delivered and none is pending.
func (s *sender) waitDrained(ctx context.Context, want int, patience time.Duration) error {
	deadline := time.Now().Add(patience)
	for {
		c, err := s.counts(ctx)
		if err == nil && c[model.DeliveryDelivered] >= want && c[model.DeliveryPending] == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("queue not drained after %s: %v (err %v)", patience, c, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkRows verifies the sender's queue at the end: one row per activity and peer, all
// delivered. It fills the queue figures of r.
func (s *sender) checkRows(ctx context.Context, r *Result, activities, peers int) error {
	var rows []*model.Delivery
	if err := s.bun.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return err
	}
	r.QueueRows = len(rows)
	r.MaxQueueRows = max(r.MaxQueueRows, len(rows))
	type key struct{ activity, inbox string }
	seen := map[key]int{}
	notDelivered := 0
	var why []string
	for _, d := range rows {
		seen[key{d.ActivityID, d.InboxURI}]++
		if d.Status != model.DeliveryDelivered {
			notDelivered++
			if len(why) < 3 {
				why = append(why, fmt.Sprintf("%s after %d attempts: %s", d.Status, d.Attempts, d.LastError))
			}
		}
	}
	if notDelivered > 0 {
		r.problemf("%d delivery rows not delivered at the end (%s)", notDelivered, strings.Join(why, "; "))
	}
	if len(seen) != len(rows) {
		r.problemf("%d delivery rows for %d (activity, inbox) pairs: rows were duplicated", len(rows), len(seen))
	}
	if want := activities * peers; len(rows) != want {
		r.problemf("%d delivery rows, want %d (%d posts to %d peers)", len(rows), want, activities, peers)
	}
	return nil
}

// uris lists the URIs of ps, sorted.
func uris(ps []published) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.uri
	}
	sort.Strings(out)
	return out
}

// scratch makes a temporary directory for a scenario's data.
func scratch(name string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "atrium-faults-"+name+"-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}

// senderDir is the sender's data directory under dir.
func senderDir(dir string) string { return filepath.Join(dir, "sender") }
