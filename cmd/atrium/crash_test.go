package main

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
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/uptrace/bun"
)

// runMainEnv, set to 1, makes the test binary run the atrium command instead of the
// tests, so the crash test starts real `atrium serve` processes without a build step.
const runMainEnv = "ATRIUM_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashBurst is how many company posts the sending node publishes before it is killed.
const crashBurst = 300

// TestSIGKILLMidBurstDeliversOnce kills a sending node with SIGKILL while a burst of
// deliveries is in flight, restarts it on the same data, and checks that the receiving
// node ends up with every activity exactly once: nothing lost from the queue, and the
// activities sent again after the crash ignored by the receiver.
//
// The sender runs as a child process (`atrium serve`). The receiver is an in-process node
// behind a gate that lets a third of the deliveries through, then holds every inbox POST:
// the sender's worker has requests in flight when it is killed. Then half the held
// requests are handled (the receiver stores activities whose sender never learned of it)
// and half are dropped (lost in the crash); the restarted sender sends all of them again
// once their lease runs out, and the receiver must ignore the first kind.
func TestSIGKILLMidBurstDeliversOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED under -short: runs node processes and waits out a delivery lease (about a minute)")
	}
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel() // most of each run waits for the lease; the runs overlap
			crashMidBurst(t, dialect)
		})
	}
}

func crashMidBurst(t *testing.T, dialect string) {
	ctx := context.Background()
	started := time.Now()
	gate := newInboxGate(crashBurst / 3)
	receiver := cluster.StartWrapped(t, dialect, "Receiver", gate.wrap)
	t.Cleanup(gate.release) // before the receiver stops, or its shutdown waits for held requests

	// The sender's identity is its origin, which must survive the restart: a fixed port.
	addr := cluster.FreeAddr(t)
	senderURL := "http://" + addr
	vars := map[string]string{
		"ATRIUM_LISTEN": addr, "ATRIUM_BASE_URL": senderURL, "ATRIUM_DATA_DIR": t.TempDir(),
		"ATRIUM_DATABASE_URL": testrig.DatabaseURL(t, dialect), "ATRIUM_SITE_NAME": "Sender",
		"ATRIUM_LOG_LEVEL": "info", "ATRIUM_DELIVERY_LEASE": crashLease.String(),
		// The burst is one account posting as fast as it can: no posting rate limit here.
		"ATRIUM_POST_RATE": "0",
	}
	mustRun := func(args ...string) string {
		t.Helper()
		out, err := runCmd(t, ctx, vars, "", args...)
		if err != nil {
			t.Fatalf("atrium %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	mustRun("admin", "peer", "add", receiver.URL, "--trust", "sibling", "--name", "Receiver")
	mustRun("admin", "user", "create", "--username", "alice", "--email", "alice@example.com")
	token := strings.TrimSpace(mustRun("admin", "token", "create", "--username", "alice"))
	if _, err := receiver.Social.Peers.Add(ctx, social.SystemActor(), senderURL, model.TrustSibling, "Sender"); err != nil {
		t.Fatal(err)
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{runMainEnv + "=1"}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sender := cluster.StartProcess(t, cluster.ProcessOptions{Name: "Sender", Bin: self, Args: []string{"serve"}, Env: env, URL: senderURL})
	setup := time.Since(started)

	uris := publishBurst(t, senderURL, token, crashBurst)
	waitFor(t, "the sender's worker to have two deliveries held in flight", 30*time.Second, func() bool { return gate.held() >= 2 })
	passed, held := gate.passed(), gate.held()
	sender.Kill()
	killedAt := time.Since(started)
	t.Logf("%s: killed the sender after %d of %d deliveries passed, %d held in flight", dialect, passed, crashBurst, held)
	if passed >= crashBurst {
		t.Fatalf("every delivery passed before the kill: the crash did not interrupt the burst")
	}

	// The receiver now handles half the held requests and drops the others; the sender
	// hears of none of them.
	gate.release()
	sender.Restart()

	// Rows claimed at the moment of the kill come back only when their lease runs out.
	patience := crashLease + 60*time.Second
	senderDB := openNodeDB(t, vars)
	waitFor(t, "the restarted sender to deliver its whole queue", patience, func() bool {
		counts, err := storage.New(senderDB).DeliveryCounts(ctx)
		return err == nil && counts[model.DeliveryDelivered] == crashBurst && counts[model.DeliveryPending] == 0
	})
	total := time.Since(started)

	// The receiver: every post once, none missing, none extra.
	got := receivedPosts(t, receiver, senderURL)
	if len(got) != crashBurst {
		t.Errorf("receiver stored %d posts of the sender, want %d", len(got), crashBurst)
	}
	for uri, n := range got {
		if n != 1 {
			t.Errorf("receiver stored %s %d times", uri, n)
		}
	}
	for _, uri := range uris {
		if _, ok := got[uri]; !ok {
			t.Errorf("post %s never reached the receiver", uri)
		}
	}
	var processed int
	if err := receiver.Store.DB().NewSelect().Table("processed_activities").ColumnExpr("COUNT(*)").
		Where("uri LIKE ?", senderURL+"/%").Scan(ctx, &processed); err != nil {
		t.Fatal(err)
	}
	if processed != crashBurst {
		t.Errorf("receiver processed %d activities of the sender, want %d", processed, crashBurst)
	}

	// The sender: one row per activity, all delivered, none failed or left behind.
	var rows []*model.Delivery
	if err := senderDB.NewSelect().Model(&rows).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	activities := map[string]bool{}
	for _, d := range rows {
		activities[d.ActivityID] = true
		if d.Status != model.DeliveryDelivered {
			t.Errorf("delivery %s of %s is %s (%s)", d.ID, d.ActivityID, d.Status, d.LastError)
		}
	}
	if len(rows) != crashBurst || len(activities) != crashBurst {
		t.Errorf("sender has %d delivery rows for %d activities, want %d of each", len(rows), len(activities), crashBurst)
	}

	// What crossed the wire: each activity arrived at least once, and what arrived twice
	// was answered 2xx without effect (the counts above).
	st := gate.stats()
	if st.activities != crashBurst {
		t.Errorf("receiver saw %d distinct activities, want %d", st.activities, crashBurst)
	}
	if st.refused > 0 {
		t.Errorf("receiver refused %d inbox POSTs: %v", st.refused, st.statuses)
	}
	if st.resent == 0 || st.dropped == 0 {
		t.Errorf("%d activities handled twice, %d requests lost: the kill did not catch both kinds of delivery in flight", st.resent, st.dropped)
	}
	t.Logf("%s: %d inbox POSTs handled for %d activities: %d handled again after the crash (ignored as duplicates), %d lost in the crash and sent again; statuses %v",
		dialect, st.posts, st.activities, st.resent, st.dropped, st.statuses)
	t.Logf("%s: timings: setup %s, kill at %s, queue drained at %s (lease %s)",
		dialect, setup.Round(time.Millisecond), killedAt.Round(time.Millisecond), total.Round(time.Millisecond), federation.DefaultLease)
}

// publishBurst creates n company posts through the sender's JSON API, four at a time, and
// returns their URIs. A post the API confirmed is committed with its delivery row.
func publishBurst(t *testing.T, origin, token string, n int) []string {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	jobs := make(chan int)
	var mu sync.Mutex
	var uris []string
	var firstErr error
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				uri, err := publish(client, origin, token, fmt.Sprintf("Burst post %d of %d", i+1, n))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					uris = append(uris, uri)
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
	if firstErr != nil {
		t.Fatalf("publish: %v", firstErr)
	}
	sort.Strings(uris)
	return uris
}

// publish posts one status and returns its ActivityPub URI.
func publish(client *http.Client, origin, token, text string) (string, error) {
	body, _ := json.Marshal(map[string]string{"status": text, "visibility": "company"})
	req, err := http.NewRequest(http.MethodPost, origin+"/api/v1/statuses", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /api/v1/statuses: %d %s", resp.StatusCode, raw)
	}
	var st struct {
		URI string `json:"uri"`
	}
	if err := json.Unmarshal(raw, &st); err != nil || st.URI == "" {
		return "", fmt.Errorf("status without uri: %s", raw)
	}
	return st.URI, nil
}

// receivedPosts counts the receiver's posts of the sender by URI.
func receivedPosts(t *testing.T, receiver *cluster.Node, senderURL string) map[string]int {
	t.Helper()
	var rows []struct {
		URI string `bun:"uri"`
		N   int    `bun:"n"`
	}
	err := receiver.Store.DB().NewSelect().Table("posts").ColumnExpr("uri, COUNT(*) AS n").
		Where("uri LIKE ?", senderURL+"/posts/%").Group("uri").Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int, len(rows))
	for _, r := range rows {
		got[r.URI] = r.N
	}
	return got
}

// openNodeDB opens the database of a node configured by vars, beside the node itself.
func openNodeDB(t *testing.T, vars map[string]string) *bun.DB {
	t.Helper()
	db, err := storage.Open(vars["ATRIUM_DATABASE_URL"], filepath.Join(vars["ATRIUM_DATA_DIR"], "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// waitFor polls cond until it holds or the deadline passes.
// crashLease is the sender's delivery lease: deliveries claimed when it is killed come back
// after it, so a short one keeps the test quick.
const crashLease = 5 * time.Second

func waitFor(t *testing.T, what string, patience time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", patience, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inboxGate stands in front of the receiving node: it counts inbox POSTs per activity id
// and their answers, lets the first open ones through, then holds the rest until release.
// Of the held ones, every second is dropped without reaching the node (lost in the
// crash) and the others are handled (the node acted, the sender never heard).
type inboxGate struct {
	open     int
	released chan struct{}
	once     sync.Once

	mu       sync.Mutex
	seen     int
	holding  int
	dropped  int
	opened   bool
	perID    map[string]int
	statuses map[int]int
}

func newInboxGate(open int) *inboxGate {
	return &inboxGate{open: open, released: make(chan struct{}), perID: map[string]int{}, statuses: map[int]int{}}
}

// wrap is the middleware.
func (g *inboxGate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/inbox") {
			next.ServeHTTP(w, r)
			return
		}
		// The whole body is read first, so a held request can still be handled after its
		// sender has died.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		var act struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &act)
		g.mu.Lock()
		g.seen++
		hold := g.seen > g.open && !g.opened
		drop := false
		if hold {
			g.holding++
			drop = g.holding%2 == 0
		}
		g.mu.Unlock()
		if hold {
			<-g.released
		}
		if drop {
			// Lost in the crash: the receiver never acts on it, and only the sender's
			// queue can bring it back.
			g.mu.Lock()
			g.dropped++
			g.mu.Unlock()
			http.Error(w, "lost", http.StatusServiceUnavailable)
			return
		}
		// Handled to the end even when the sender has gone, like a request that was
		// being processed when the sender crashed.
		r = r.WithContext(context.WithoutCancel(r.Context()))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		g.mu.Lock()
		g.statuses[rec.status]++
		if rec.status >= 200 && rec.status < 300 {
			g.perID[act.ID]++
		}
		g.mu.Unlock()
	})
}

// release lets held requests go on (handled or dropped) and future ones through. Safe to
// call twice.
func (g *inboxGate) release() {
	g.once.Do(func() {
		g.mu.Lock()
		g.opened = true
		g.mu.Unlock()
		close(g.released)
	})
}

// passed is how many inbox POSTs were let through before the gate closed.
func (g *inboxGate) passed() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return min(g.seen, g.open)
}

// held is how many inbox POSTs the gate has held.
func (g *inboxGate) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.holding
}

// gateStats is what crossed the gate.
type gateStats struct {
	posts, activities, resent, refused, dropped int
	statuses                                    map[int]int
}

func (g *inboxGate) stats() gateStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := gateStats{statuses: map[int]int{}, dropped: g.dropped}
	for code, n := range g.statuses {
		st.statuses[code] = n
		st.posts += n
		if code < 200 || code > 299 {
			st.refused += n
		}
	}
	for _, n := range g.perID {
		st.activities++
		st.resent += n - 1
	}
	return st
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
