package federation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// wait blocks while the receiver holds requests, counting them.
func (r *receiver) wait() {
	r.mu.Lock()
	hold := r.hold
	if hold != nil {
		r.held++
		r.maxHeld = max(r.maxHeld, r.held)
	}
	r.mu.Unlock()
	if hold == nil {
		return
	}
	<-hold
	r.mu.Lock()
	r.held--
	r.mu.Unlock()
}

// TestWorkerSlowPeerLeavesSlotsForOthers queues deliveries to a peer that holds every
// request and to one that answers at once, the slow peer's rows first: the fast peer
// must get all of its deliveries while the slow one still holds its requests, and the
// slow one never more requests at a time than its share.
func TestWorkerSlowPeerLeavesSlotsForOthers(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newWorkerWorld(t, store)
		slow := w.peer
		release := make(chan struct{})
		slow.mu.Lock()
		slow.hold = release
		slow.mu.Unlock()
		fast := newReceiver(t, w.keys, w.clock.Peek)
		w.allow(fast)
		const perPeer = 20
		var fastRows []*model.Delivery
		for range perPeer {
			w.queue(slow, w.clock.Peek())
		}
		for range perPeer {
			fastRows = append(fastRows, w.queue(fast, w.clock.Peek()))
		}

		ctx, cancel := context.WithCancel(w.ctx)
		var wg sync.WaitGroup
		wk := w.worker(federation.WorkerOptions{Concurrency: 4, PollInterval: 20 * time.Millisecond})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = wk.Run(ctx)
		}()
		releaseSlow := sync.OnceFunc(func() { close(release) })
		t.Cleanup(func() {
			releaseSlow()
			cancel()
			wg.Wait()
		})

		// The client's timeout is 20 s: within it, only free slots can deliver to fast.
		deadline := time.Now().Add(15 * time.Second)
		for {
			delivered := 0
			for _, d := range fastRows {
				if w.row(d).Status == model.DeliveryDelivered {
					delivered++
				}
			}
			if delivered == perPeer {
				break
			}
			if time.Now().After(deadline) {
				slow.mu.Lock()
				held := slow.held
				slow.mu.Unlock()
				t.Fatalf("%d of %d deliveries to the fast peer done while the slow peer holds %d requests", delivered, perPeer, held)
			}
			time.Sleep(20 * time.Millisecond)
		}
		slow.mu.Lock()
		maxHeld := slow.maxHeld
		slow.mu.Unlock()
		if maxHeld > 2 {
			t.Errorf("the slow peer had %d requests at once, want at most 2 (half the worker's slots)", maxHeld)
		}

		// Released, the slow peer gets its deliveries too.
		releaseSlow()
		deadline = time.Now().Add(30 * time.Second)
		for {
			counts, err := store.DeliveryCounts(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts[model.DeliveryDelivered] == 2*perPeer {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery counts %v after the slow peer was released", counts)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		for _, r := range []*receiver{slow, fast} {
			got, _, bad := r.counts()
			if len(bad) > 0 || len(got) != perPeer {
				t.Fatalf("receiver got %d activities, problems %v", len(got), bad)
			}
		}
	})
}
