package federation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Delivery schedule defaults.
const (
	// DefaultConcurrency is how many deliveries are in flight at once.
	DefaultConcurrency = 8
	// DefaultLease is how long a claimed delivery is hidden from other claims; it must
	// outlast a request, and is how long a crashed worker's rows wait to come back.
	DefaultLease = time.Minute
	// DefaultMaxAge is when the queue gives up on a delivery.
	DefaultMaxAge = 48 * time.Hour
	// DefaultPollInterval is how often due deliveries are looked for without a Notify.
	DefaultPollInterval = time.Second
	// DefaultSendTimeout bounds one delivery request when no client is given.
	DefaultSendTimeout = 30 * time.Second
	// firstRetry and maxRetry bound the exponential backoff between attempts.
	firstRetry = 10 * time.Second
	maxRetry   = time.Hour
)

// WorkerOptions configures a Worker.
type WorkerOptions struct {
	Store *storage.Store
	// Client sends the requests; it should have a timeout shorter than Lease. Redirects
	// are never followed. nil means a client with DefaultSendTimeout.
	Client *http.Client
	Log    *slog.Logger
	// Now is the clock of the queue and of the Date header; nil means time.Now.
	Now func() time.Time
	// Concurrency is how many deliveries are in flight (default 8).
	Concurrency int
	// PerOrigin is how many of them may go to one peer node (default half of
	// Concurrency): a peer that answers slowly keeps the other slots free for the rest.
	PerOrigin int
	// Lease is how long a claimed delivery stays invisible to claims (default 1 minute).
	Lease time.Duration
	// MaxAge is how long a delivery is retried (default 48 hours).
	MaxAge    time.Duration
	UserAgent string
	// Rand returns a number in [0, 1) for backoff jitter; nil means math/rand.
	Rand func() float64
	// NodeSigner signs deliveries that carry no ActorID, with the node actor's key;
	// nil means such deliveries fail.
	NodeSigner func(ctx context.Context) (*Signer, error)
	// PollInterval is how often due deliveries are looked for without a Notify
	// (default 1 second).
	PollInterval time.Duration
}

// Worker sends queued deliveries: one signed POST per row, retried with exponential
// backoff and jitter, abandoned after MaxAge or on a permanent refusal.
type Worker struct {
	o    WorkerOptions
	wake chan struct{}
	// inflight counts Run's requests per peer origin.
	mu       sync.Mutex
	inflight map[string]int
}

// NewWorker returns a Worker; Run starts it.
func NewWorker(o WorkerOptions) *Worker {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultSendTimeout}
	}
	c := *o.Client
	// A redirect would carry a signed request to an address no admin vetted.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.Client = &c
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerOrigin <= 0 {
		o.PerOrigin = max(1, o.Concurrency/2)
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	return &Worker{o: o, wake: make(chan struct{}, 1), inflight: map[string]int{}}
}

// Notify tells the worker that deliveries may be due. It never blocks: a wake-up already
// pending covers this one.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends deliveries until ctx ends, then waits for the requests in flight. Rows in
// flight when the process dies come back once their lease runs out.
func (w *Worker) Run(ctx context.Context) error {
	sem := make(chan struct{}, w.o.Concurrency)
	freed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(w.o.PollInterval)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			free := cap(sem) - len(sem)
			if free == 0 {
				break
			}
			now := w.now()
			rows, err := w.o.Store.ClaimDueDeliveriesExcept(ctx, now, w.o.Lease, free, w.busyOrigins())
			if err != nil {
				if ctx.Err() == nil {
					w.o.Log.ErrorContext(ctx, "claim deliveries", "err", err)
				}
				break
			}
			var excess []string
			for _, d := range rows {
				if !w.take(d.Origin) {
					excess = append(excess, d.ID)
					continue
				}
				sem <- struct{}{}
				wg.Add(1)
				go func(d *model.Delivery) {
					defer func() {
						w.give(d.Origin)
						<-sem
						wg.Done()
						select {
						case freed <- struct{}{}:
						default:
						}
					}()
					w.deliver(ctx, d)
				}(d)
			}
			// Rows beyond a peer's share go back at once, not after their lease; the next
			// claim skips that peer while its share is in flight.
			if err := w.o.Store.ReleaseDeliveries(context.WithoutCancel(ctx), excess, now); err != nil {
				w.o.Log.ErrorContext(ctx, "release deliveries", "err", err)
				break
			}
			if len(rows) < free {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-freed:
		case <-tick.C:
		}
	}
}

// busyOrigins lists the peers that have their share of requests in flight.
func (w *Worker) busyOrigins() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var busy []string
	for origin, n := range w.inflight {
		if n >= w.o.PerOrigin {
			busy = append(busy, origin)
		}
	}
	return busy
}

// take counts one more request to origin, unless it has its share in flight already.
func (w *Worker) take(origin string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[origin] >= w.o.PerOrigin {
		return false
	}
	w.inflight[origin]++
	return true
}

// give counts a request to origin as finished.
func (w *Worker) give(origin string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[origin]--; w.inflight[origin] <= 0 {
		delete(w.inflight, origin)
	}
}

// Flush sends every delivery due now and waits for them, again until none is due; it
// returns how many were attempted. Tools and tests use it instead of Run.
func (w *Worker) Flush(ctx context.Context) (int, error) {
	total := 0
	for {
		rows, err := w.o.Store.ClaimDueDeliveries(ctx, w.now(), w.o.Lease, w.o.Concurrency)
		if err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		var wg sync.WaitGroup
		for _, d := range rows {
			wg.Add(1)
			go func(d *model.Delivery) {
				defer wg.Done()
				w.deliver(ctx, d)
			}(d)
		}
		wg.Wait()
		total += len(rows)
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

func (w *Worker) now() time.Time { return w.o.Now().UTC().Truncate(time.Microsecond) }

// deliver makes one attempt at d and records the outcome.
func (w *Worker) deliver(ctx context.Context, d *model.Delivery) {
	log := w.o.Log.With("delivery", d.ID, "activity", d.ActivityID, "inbox", d.InboxURI)
	// Recording the outcome must survive a shutdown that cancels the request itself.
	mark := context.WithoutCancel(ctx)
	now := w.now()
	if now.Sub(d.CreatedAt) > w.o.MaxAge {
		w.fail(mark, log, d, "expired")
		return
	}
	if reason := w.checkTarget(ctx, d); reason != "" {
		if ctx.Err() == nil {
			w.fail(mark, log, d, reason)
		}
		return
	}
	signer, err := w.signer(ctx, d)
	if err != nil {
		if ctx.Err() == nil {
			w.fail(mark, log, d, err.Error())
		}
		return
	}
	// However the client is configured, a request must end before the lease does, or
	// another claim could send the row a second time.
	sendCtx, cancel := context.WithTimeout(ctx, w.o.Lease/2)
	err = w.send(sendCtx, signer, d)
	cancel()
	if err == nil {
		if err := w.o.Store.MarkDelivered(mark, d.ID, w.now()); err != nil {
			log.ErrorContext(ctx, "mark delivered", "err", err)
		}
		log.DebugContext(ctx, "delivered")
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the lease brings the row back, this was not a real attempt
	}
	var se *StatusError
	if errors.As(err, &se) && !se.Temporary() {
		w.fail(mark, log, d, err.Error())
		return
	}
	var after time.Duration
	if se != nil {
		after = se.RetryAfter
	}
	w.retry(mark, log, d, err.Error(), after)
}

// checkTarget returns why d must not be sent, or "". The allowlist is checked at send
// time too, because a peer may be removed while its deliveries wait.
func (w *Worker) checkTarget(ctx context.Context, d *model.Delivery) string {
	peerOrigin, err := activitypub.Origin(d.Origin)
	if err != nil {
		return "invalid origin"
	}
	inboxOrigin, err := activitypub.Origin(d.InboxURI)
	if err != nil || inboxOrigin != peerOrigin {
		return "inbox not on the peer's node"
	}
	if _, err := w.o.Store.Peer(ctx, d.Origin); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return "not an allowed peer"
		}
		return "peer lookup: " + err.Error()
	}
	return ""
}

// signer returns the signer of d's actor: a local group, a local account, or the node
// actor.
func (w *Worker) signer(ctx context.Context, d *model.Delivery) (*Signer, error) {
	if d.GroupID != nil {
		return w.groupSigner(ctx, *d.GroupID)
	}
	if d.ActorID == nil {
		if w.o.NodeSigner == nil {
			return nil, errors.New("no node actor key")
		}
		return w.o.NodeSigner(ctx)
	}
	acct, err := w.o.Store.Account(ctx, *d.ActorID)
	if err != nil {
		return nil, fmt.Errorf("signing account: %w", err)
	}
	if !acct.Local() || acct.PrivateKeyPEM == "" {
		return nil, errors.New("signing account has no private key")
	}
	key, err := parsePrivateKeyPEM(acct.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("signing account %s: %w", acct.Username, err)
	}
	return NewSigner(activitypub.KeyID(acct.URI), key, w.o.Now)
}

// groupSigner signs as a local group's Group actor, key id <group>#main-key.
func (w *Worker) groupSigner(ctx context.Context, groupID string) (*Signer, error) {
	g, err := w.o.Store.Group(ctx, groupID)
	if err != nil {
		return nil, fmt.Errorf("signing group: %w", err)
	}
	if !g.Local() || g.PrivateKeyPEM == "" {
		return nil, errors.New("signing group has no private key")
	}
	key, err := parsePrivateKeyPEM(g.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("signing group %s: %w", g.Name, err)
	}
	return NewSigner(activitypub.KeyID(g.URI), key, w.o.Now)
}

// send POSTs the payload to the inbox, signed; any 2xx is success.
func (w *Worker) send(ctx context.Context, signer *Signer, d *model.Delivery) error {
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.InboxURI, bytes.NewReader(body))
	if err != nil {
		return &StatusError{Method: http.MethodPost, URL: d.InboxURI, Code: http.StatusBadRequest}
	}
	req.Header.Set("Content-Type", activitypub.ActivityContentType)
	req.Header.Set("Accept", activitypub.ActivityContentType)
	if w.o.UserAgent != "" {
		req.Header.Set("User-Agent", w.o.UserAgent)
	}
	if err := signer.Sign(req, body); err != nil {
		return &StatusError{Method: http.MethodPost, URL: d.InboxURI, Code: http.StatusBadRequest}
	}
	resp, err := w.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", d.InboxURI, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Method: http.MethodPost, URL: d.InboxURI, Code: resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), w.now())}
	}
	return nil
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP date, capped at the
// longest backoff; zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	var d time.Duration
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetry))
}

// retry schedules the next attempt, no sooner than after (the receiver's Retry-After), or
// gives up when it would fall past MaxAge.
func (w *Worker) retry(ctx context.Context, log *slog.Logger, d *model.Delivery, reason string, after time.Duration) {
	attempts := d.Attempts + 1
	now := w.now()
	next := now.Add(max(w.Backoff(attempts), after))
	if next.Sub(d.CreatedAt) > w.o.MaxAge {
		w.fail(ctx, log, d, "expired after "+strconv.Itoa(attempts)+" attempts: "+reason)
		return
	}
	if err := w.o.Store.MarkRetry(ctx, d.ID, now, attempts, next, reason); err != nil {
		log.ErrorContext(ctx, "mark delivery for retry", "err", err)
		return
	}
	log.InfoContext(ctx, "delivery will be retried", "attempts", attempts, "next", next, "err", reason)
}

// fail gives up on d.
func (w *Worker) fail(ctx context.Context, log *slog.Logger, d *model.Delivery, reason string) {
	if err := w.o.Store.MarkFailed(ctx, d.ID, w.now(), reason); err != nil {
		log.ErrorContext(ctx, "mark delivery failed", "err", err)
		return
	}
	log.WarnContext(ctx, "delivery failed", "err", reason)
}

// Backoff is the wait before attempt attempts+1: 10 s doubled per attempt made, capped at
// an hour, with ±20% jitter so that retries to a node that was down do not arrive together.
func (w *Worker) Backoff(attempts int) time.Duration {
	d := firstRetry
	for i := 1; i < attempts && d < maxRetry; i++ {
		d *= 2
	}
	d = min(d, maxRetry)
	jitter := 0.8 + 0.4*w.o.Rand()
	return time.Duration(float64(d) * jitter)
}

// parsePrivateKeyPEM decodes an RSA private key in PKCS#8 or PKCS#1 PEM form.
func parsePrivateKeyPEM(s string) (crypto.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("private key: no PEM block")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("private key: %w", err)
		}
		return k, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("private key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("private key: unexpected PEM type %q", block.Type)
	}
}
