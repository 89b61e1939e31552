package federation_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// receiver is a node's shared inbox that verifies every signature and counts what it
// accepts per activity id. Its answers can be scripted.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	// got counts accepted deliveries per activity id; requests counts every request.
	got      map[string]int
	requests int
	bad      []string
	// answers are the statuses of the next requests (then 202).
	answers []int
	// hold, when set, is waited on before each request is handled: a slow peer.
	hold chan struct{}
	// held and maxHeld count the requests waiting on hold, now and at most.
	held, maxHeld int
}

// keyMap resolves the key ids of the test's actors.
type keyMap map[string]keyEntry

type keyEntry struct {
	pub   crypto.PublicKey
	owner string
}

func (k keyMap) ResolveKey(_ context.Context, keyID string) (crypto.PublicKey, string, error) {
	e, ok := k[keyID]
	if !ok {
		return nil, "", federation.ErrUnknownKey
	}
	return e.pub, e.owner, nil
}

func newReceiver(t *testing.T, keys keyMap, now func() time.Time) *receiver {
	t.Helper()
	r := &receiver{got: map[string]int{}}
	v := federation.NewVerifier(keys, now)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.wait()
		r.mu.Lock()
		r.requests++
		status := http.StatusAccepted
		if len(r.answers) > 0 {
			status, r.answers = r.answers[0], r.answers[1:]
		}
		r.mu.Unlock()
		if req.Method != http.MethodPost || req.URL.Path != "/inbox" ||
			req.Header.Get("Content-Type") != activitypub.ActivityContentType {
			r.fail(fmt.Sprintf("%s %s %s", req.Method, req.URL.Path, req.Header.Get("Content-Type")))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		res, err := v.Verify(req)
		if err != nil {
			r.fail("verify: " + err.Error())
			http.Error(w, err.Error(), federation.StatusCode(err))
			return
		}
		var act struct {
			ID    string `json:"id"`
			Actor string `json:"actor"`
		}
		body, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(body, &act); err != nil || res.SignedBy(act.Actor) != nil {
			r.fail(fmt.Sprintf("body %s signed by %s", body, res.Owner))
			http.Error(w, "bad activity", http.StatusBadRequest)
			return
		}
		if status < 300 {
			r.mu.Lock()
			r.got[act.ID]++
			r.mu.Unlock()
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// answer scripts the statuses of the next requests.
func (r *receiver) answer(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = statuses
}

func (r *receiver) fail(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, s)
}

func (r *receiver) counts() (got map[string]int, requests int, bad []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	got = make(map[string]int, len(r.got))
	for k, v := range r.got {
		got[k] = v
	}
	return got, r.requests, append([]string(nil), r.bad...)
}

// workerWorld is a node with one local account, a worker and a peer receiver.
type workerWorld struct {
	t     *testing.T
	ctx   context.Context
	store *storage.Store
	clock *testrig.Clock
	mia   *model.Account
	keys  keyMap
	peer  *receiver
	seq   int
}

func newWorkerWorld(t *testing.T, store *storage.Store) *workerWorld {
	t.Helper()
	rig := testrig.NewRig(t, store)
	w := &workerWorld{t: t, ctx: context.Background(), store: store, clock: rig.Clock, keys: keyMap{}}
	w.mia = testrig.CreateAccount(t, rig.Svc, "mia", model.RoleMember)
	pub, err := activitypub.ParsePublicKeyPEM(w.mia.PublicKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	w.keys[activitypub.KeyID(w.mia.URI)] = keyEntry{pub, w.mia.URI}
	w.peer = newReceiver(t, w.keys, w.clock.Peek)
	w.allow(w.peer)
	return w
}

func (w *workerWorld) allow(r *receiver) {
	w.t.Helper()
	now := w.clock.Peek()
	if err := w.store.SavePeer(w.ctx, &model.Peer{Origin: r.srv.URL, Trust: model.TrustSibling, CreatedAt: now, UpdatedAt: now}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *workerWorld) worker(o federation.WorkerOptions) *federation.Worker {
	o.Store, o.Now = w.store, w.clock.Now
	if o.Rand == nil {
		o.Rand = func() float64 { return 0.5 } // no jitter: backoff exactly 10 s, 20 s, ...
	}
	o.Client = &http.Client{Timeout: 20 * time.Second}
	return federation.NewWorker(o)
}

// queue adds a delivery of a fresh activity by mia to r, created at created.
func (w *workerWorld) queue(r *receiver, created time.Time) *model.Delivery {
	w.t.Helper()
	w.seq++
	id := fmt.Sprintf("%s/posts/%d#create", testrig.BaseURL, w.seq)
	actor := w.mia.ID
	d := &model.Delivery{ID: fmt.Sprintf("D%05d", w.seq), ActivityID: id, ActorID: &actor, InboxURI: r.srv.URL + "/inbox",
		Origin: r.srv.URL, Payload: fmt.Sprintf(`{"id":%q,"type":"Create","actor":%q}`, id, w.mia.URI),
		Status: model.DeliveryPending, NextAttemptAt: created, CreatedAt: created, UpdatedAt: created}
	if err := w.store.InsertDeliveries(w.ctx, []*model.Delivery{d}); err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *workerWorld) row(d *model.Delivery) *model.Delivery {
	w.t.Helper()
	got, err := w.store.DeliveryByID(w.ctx, d.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return got
}

func (w *workerWorld) flush(wk *federation.Worker, want int) {
	w.t.Helper()
	n, err := wk.Flush(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if n != want {
		w.t.Fatalf("flush attempted %d deliveries, want %d", n, want)
	}
}

func TestWorkerOutcomes(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorkerWorld(t, store)
		wk := w.worker(federation.WorkerOptions{UserAgent: "atrium-test"})

		t.Run("success", func(t *testing.T) {
			d := w.queue(w.peer, w.clock.Peek())
			w.flush(wk, 1)
			got := w.row(d)
			if got.Status != model.DeliveryDelivered || got.Attempts != 1 || got.DeliveredAt == nil {
				t.Fatalf("row %+v", got)
			}
			if n, _, bad := w.peer.counts(); n[d.ActivityID] != 1 || len(bad) > 0 {
				t.Fatalf("received %v, problems %v", n, bad)
			}
		})

		t.Run("retry on 500 then success", func(t *testing.T) {
			w.peer.answer(http.StatusInternalServerError)
			d := w.queue(w.peer, w.clock.Peek())
			w.flush(wk, 1)
			got := w.row(d)
			if got.Status != model.DeliveryPending || got.Attempts != 1 || !strings.Contains(got.LastError, "500") {
				t.Fatalf("after a 500: %+v", got)
			}
			if wait := got.NextAttemptAt.Sub(got.UpdatedAt); wait != 10*time.Second {
				t.Fatalf("retry in %v, want 10s", wait)
			}
			w.flush(wk, 0) // not due yet
			w.clock.Advance(10 * time.Second)
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryDelivered || got.Attempts != 2 || got.LastError != "" {
				t.Fatalf("after the retry: %+v", got)
			}
		})

		t.Run("429 and network errors are retried", func(t *testing.T) {
			w.peer.answer(http.StatusTooManyRequests)
			d := w.queue(w.peer, w.clock.Peek())
			down := newReceiver(t, w.keys, w.clock.Peek)
			w.allow(down)
			down.srv.Close()
			d2 := w.queue(down, w.clock.Peek())
			w.flush(wk, 2)
			for _, r := range []*model.Delivery{w.row(d), w.row(d2)} {
				if r.Status != model.DeliveryPending || r.Attempts != 1 || r.LastError == "" {
					t.Fatalf("row %+v", r)
				}
			}
		})

		t.Run("permanent 400 fails", func(t *testing.T) {
			w.clock.Advance(time.Hour) // let earlier retries come due and settle first
			_, _ = wk.Flush(w.ctx)
			w.peer.answer(http.StatusBadRequest)
			d := w.queue(w.peer, w.clock.Peek())
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryFailed || !strings.Contains(got.LastError, "400") {
				t.Fatalf("row %+v", got)
			}
			w.flush(wk, 0)
		})

		t.Run("expired rows are not sent", func(t *testing.T) {
			_, before, _ := w.peer.counts()
			d := w.queue(w.peer, w.clock.Peek().Add(-49*time.Hour))
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryFailed || got.LastError != "expired" {
				t.Fatalf("row %+v", got)
			}
			if _, after, _ := w.peer.counts(); after != before {
				t.Fatal("an expired delivery was sent")
			}
		})

		t.Run("a retry past the maximum age gives up", func(t *testing.T) {
			w.peer.answer(http.StatusServiceUnavailable)
			d := w.queue(w.peer, w.clock.Peek().Add(-48*time.Hour+5*time.Second))
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryFailed || !strings.HasPrefix(got.LastError, "expired after 1 attempts") {
				t.Fatalf("row %+v", got)
			}
		})

		t.Run("non-peers get nothing", func(t *testing.T) {
			stranger := newReceiver(t, w.keys, w.clock.Peek)
			d := w.queue(stranger, w.clock.Peek())
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryFailed || got.LastError != "not an allowed peer" {
				t.Fatalf("row %+v", got)
			}
			if _, n, _ := stranger.counts(); n != 0 {
				t.Fatal("a non-peer was contacted")
			}
		})

		t.Run("rows without an actor need the node key", func(t *testing.T) {
			d := w.queue(w.peer, w.clock.Peek())
			if _, err := store.DB().NewUpdate().Model((*model.Delivery)(nil)).Set("actor_id = NULL").Where("id = ?", d.ID).Exec(w.ctx); err != nil {
				t.Fatal(err)
			}
			w.flush(wk, 1)
			if got := w.row(d); got.Status != model.DeliveryFailed || got.LastError != "no node actor key" {
				t.Fatalf("row %+v", got)
			}
		})

		if _, _, bad := w.peer.counts(); len(bad) > 0 {
			t.Fatalf("receiver saw bad requests: %v", bad)
		}
	})
}

func TestWorkerLeaseRecovery(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorkerWorld(t, store)
		d := w.queue(w.peer, w.clock.Peek())
		// A worker claims the row and dies before sending or marking it.
		if rows, err := store.ClaimDueDeliveries(w.ctx, w.clock.Now(), time.Minute, 10); err != nil || len(rows) != 1 {
			t.Fatalf("claim: %d, %v", len(rows), err)
		}
		wk := w.worker(federation.WorkerOptions{Lease: time.Minute})
		w.flush(wk, 0) // still leased
		w.clock.Advance(time.Minute)
		w.flush(wk, 1)
		if got := w.row(d); got.Status != model.DeliveryDelivered {
			t.Fatalf("row %+v", got)
		}
		if n, _, bad := w.peer.counts(); n[d.ActivityID] != 1 || len(bad) > 0 {
			t.Fatalf("received %v, problems %v", n, bad)
		}
	})
}

func TestWorkerRunConcurrently(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorkerWorld(t, store)
		second := newReceiver(t, w.keys, w.clock.Peek)
		w.allow(second)
		const perPeer = 30
		var rows []*model.Delivery
		for i := 0; i < perPeer; i++ {
			rows = append(rows, w.queue(w.peer, w.clock.Peek()), w.queue(second, w.clock.Peek()))
		}
		ctx, cancel := context.WithCancel(w.ctx)
		var wg sync.WaitGroup
		var workers []*federation.Worker
		for i := 0; i < 2; i++ {
			wk := w.worker(federation.WorkerOptions{Concurrency: 4, PollInterval: 50 * time.Millisecond})
			workers = append(workers, wk)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := wk.Run(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		for _, wk := range workers {
			wk.Notify()
			wk.Notify() // never blocks
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			counts, err := store.DeliveryCounts(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts[model.DeliveryDelivered] == len(rows) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery counts %v after the deadline", counts)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		for _, r := range []*receiver{w.peer, second} {
			got, requests, bad := r.counts()
			if len(bad) > 0 || requests != perPeer || len(got) != perPeer {
				t.Fatalf("receiver: %d requests, %d ids, problems %v", requests, len(got), bad)
			}
			for id, n := range got {
				if n != 1 {
					t.Fatalf("%s received %d times", id, n)
				}
			}
		}
	})
}

func TestWorkerNodeSigner(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorkerWorld(t, store)
		key, err := testrig.Keys()()
		if err != nil {
			t.Fatal(err)
		}
		nodeActor := testrig.BaseURL + "/actor"
		w.keys[activitypub.KeyID(nodeActor)] = keyEntry{&key.PublicKey, nodeActor}
		d := w.queue(w.peer, w.clock.Peek())
		_, err = store.DB().NewUpdate().Model((*model.Delivery)(nil)).Set("actor_id = NULL").
			Set("payload = ?", fmt.Sprintf(`{"id":%q,"type":"Follow","actor":%q}`, d.ActivityID, nodeActor)).
			Where("id = ?", d.ID).Exec(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		wk := w.worker(federation.WorkerOptions{NodeSigner: func(context.Context) (*federation.Signer, error) {
			return federation.NewSigner(activitypub.KeyID(nodeActor), key, w.clock.Now)
		}})
		w.flush(wk, 1)
		if got := w.row(d); got.Status != model.DeliveryDelivered {
			t.Fatalf("row %+v", got)
		}
	})
}

func TestWorkerBackoff(t *testing.T) {
	for _, tc := range []struct {
		rand     float64
		attempts int
		want     time.Duration
	}{
		{0.5, 1, 10 * time.Second},
		{0.5, 2, 20 * time.Second},
		{0.5, 3, 40 * time.Second},
		{0.5, 9, 2560 * time.Second},
		{0.5, 10, time.Hour},
		{0.5, 60, time.Hour},
		{0, 1, 8 * time.Second},
		{0.999999, 1, 12 * time.Second},
		{0, 30, 48 * time.Minute},
	} {
		wk := federation.NewWorker(federation.WorkerOptions{Rand: func() float64 { return tc.rand }})
		got := wk.Backoff(tc.attempts)
		if diff := got - tc.want; diff < -time.Millisecond || diff > time.Millisecond {
			t.Errorf("Backoff(%d) with rand %v = %v, want %v", tc.attempts, tc.rand, got, tc.want)
		}
	}
}
