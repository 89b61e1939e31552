package faults

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// write is the outcome of one post sent to the node during scenario c.
type write struct {
	n         int
	uri       string
	status    int
	requestID string
	err       error
	at        time.Time
}

// PostgresRestart is scenario c: the sender's database is a private PostgreSQL server,
// stopped (fast mode) and started again after o.Outage while clients post at o.Rate per
// second for o.Load and the sender delivers to a peer. The node process is never
// restarted. Every post the API confirmed must be in its database afterwards and
// delivered to the peer exactly once; posts refused during the outage must get a clean
// 5xx, not a hang; posts after the restart must succeed again.
func PostgresRestart(ctx context.Context, o Options) (*Result, error) {
	r := &Result{Scenario: "c", Title: "PostgreSQL restarted under load", Dialect: "postgres"}
	o.Dialect = "postgres"
	pg, err := startPGServer(ctx, o.PGBin)
	if err != nil {
		return nil, err
	}
	defer pg.close()
	w, err := newWorld(ctx, o, r, pg.url, nil, "Receiver")
	if err != nil {
		return nil, err
	}
	defer w.close()
	r.notef("sender on a private PostgreSQL (port %d), the peer on %s", pg.port, "the shared server")
	pid, _ := w.sender.proc.running()
	mon := watch(w.sender, o.lease())

	// Writers: one post every 1/Rate s, each in its own request with a timeout that a
	// hang would hit.
	client := &http.Client{Timeout: 20 * time.Second}
	var mu sync.Mutex
	var writes []write
	var wg sync.WaitGroup
	loadCtx, stopLoad := context.WithTimeout(ctx, o.Load)
	defer stopLoad()
	loaderDone := make(chan struct{})
	go func() {
		defer close(loaderDone)
		tick := time.NewTicker(time.Second / time.Duration(max(o.Rate, 1)))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-loadCtx.Done():
				return
			case <-tick.C:
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				uri, status, requestID, err := w.sender.publish(context.Background(), client, loadText(i), loadKey(i))
				mu.Lock()
				writes = append(writes, write{n: i, uri: uri, status: status, requestID: requestID, err: err, at: time.Now()})
				mu.Unlock()
			}(i)
		}
	}()

	// The outage starts a quarter into the load.
	time.Sleep(o.Load / 4)
	w.phase("load before the outage")
	stoppedAt := time.Now()
	if err := pg.stop(ctx); err != nil {
		return nil, err
	}
	time.Sleep(o.Outage)
	if err := pg.start(ctx); err != nil {
		return nil, err
	}
	backAt := time.Now()
	r.notef("PostgreSQL stopped (-m fast) for %s, started again; writes at %d/s for %s", backAt.Sub(stoppedAt).Round(100*time.Millisecond), o.Rate, o.Load)
	w.phase("outage")
	// The loader adds no write once it has returned; then every write has its answer.
	<-loaderDone
	wg.Wait()
	w.phase("load after the outage")

	var sent []string
	var afterOK int
	statuses := map[int]int{}
	for _, wr := range writes {
		switch {
		case wr.err == nil:
			sent = append(sent, wr.uri)
			if wr.at.After(backAt) {
				afterOK++
			}
		case wr.status >= 500:
			r.Refused++
			statuses[wr.status]++
		case wr.status > 0:
			statuses[wr.status]++
			r.problemf("a write was refused with %d: %v", wr.status, wr.err)
		default:
			r.Failed++
			if r.Failed <= 3 {
				r.notef("write without answer: %v", wr.err)
			}
		}
	}
	r.notef("%d writes: %d accepted (%d after PostgreSQL was back), refusals by status %v", len(writes), len(sent), afterOK, statuses)
	if afterOK == 0 {
		r.problemf("no write succeeded after PostgreSQL was back: the node did not recover")
	}
	retriedURIs, err := retryRefused(ctx, w.sender, client, writes, r)
	if err != nil {
		return nil, err
	}
	sent = append(sent, retriedURIs...)
	if now, alive := w.sender.proc.running(); !alive || now != pid {
		r.problemf("the node process did not survive the outage (pid %d, running %v)", now, alive)
	}

	if err := w.sender.waitDrained(ctx, len(sent), o.lease()+3*time.Minute); err != nil {
		r.problemf("%v", err)
	}
	w.phase("drain")
	mon.finish(r)
	stored, err := senderPosts(ctx, w.sender)
	if err != nil {
		return nil, err
	}
	accepted := make(map[string]bool, len(sent))
	for _, u := range sent {
		accepted[u] = true
		if !stored[u] {
			r.problemf("accepted post %s is not in the sender's database", u)
		}
	}
	var expected []string
	for u := range stored {
		expected = append(expected, u)
		if !accepted[u] {
			r.problemf("post %s is stored but no answer, first or retried, named it", u)
		}
	}
	if err := storedOnce(ctx, w.sender, writes, r); err != nil {
		return nil, err
	}
	r.Sent = len(sent)
	if err := w.collectAll(ctx, sentSorted(expected)); err != nil {
		return nil, err
	}
	for i, p := range r.Peers {
		for _, uri := range p.LostURIs {
			id := uri[strings.LastIndex(uri, "/")+1:]
			r.notef("lost %s; sender log:\n%s\n%s log:\n%s", uri, linesWith(w.sender.proc.logs.String(), id),
				p.Name, linesWith(w.peers[i].logs.String(), id))
		}
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}

// loadFormat is the text of write i; storedOnce reads i back from a stored post.
const loadFormat = "Post %d under load"

// loadText and loadKey are the text and the Idempotency-Key of write i.
func loadText(i int) string { return fmt.Sprintf(loadFormat, i) }
func loadKey(i int) string  { return fmt.Sprintf("load-%d", i) }

// retryRefused sends every write that got a 5xx or no answer again, as a client would
// once the node answers again, with the same Idempotency-Key, and returns the posts the
// retries were answered with. A write can be committed while its answer is a 5xx (the
// connection broke after the commit, or a read after it failed): its retry must get that
// post, not make a second (counted in RetriedStored and RefusedStored).
func retryRefused(ctx context.Context, s *sender, client *http.Client, writes []write, r *Result) ([]string, error) {
	before, err := senderPosts(ctx, s)
	if err != nil {
		return nil, err
	}
	var got, hidden []string
	for i, wr := range writes {
		if wr.err == nil {
			continue
		}
		r.Retried++
		uri, status, requestID, err := s.publish(ctx, client, loadText(wr.n), loadKey(wr.n))
		if err != nil {
			r.problemf("write %d failed again after the outage (%d, request %s): %v", wr.n, status, requestID, err)
			continue
		}
		if before[uri] {
			r.RetriedStored++
			r.RefusedStored++
			hidden = append(hidden, fmt.Sprintf("post %s (write %d, first answered %d, request %s): %s", uri, wr.n, wr.status, wr.requestID,
				linesWith(s.proc.logs.String(), "request_id="+wr.requestID)))
		}
		writes[i].uri, writes[i].err = uri, nil
		got = append(got, uri)
	}
	if r.Retried > 0 {
		r.notef("%d refused or unanswered writes sent again with their Idempotency-Key: %d were answered with the post the first try had made, %d made it now",
			r.Retried, r.RetriedStored, r.Retried-r.RetriedStored)
	}
	if len(hidden) > 0 {
		r.notef("%d writes answered with a 5xx had been committed; the node's log of them:\n%s", len(hidden), strings.Join(hidden, "\n"))
	}
	return got, nil
}

// storedOnce checks that every write is in the sender's database exactly once (by its
// text): none lost, none made twice by a retry.
func storedOnce(ctx context.Context, s *sender, writes []write, r *Result) error {
	var rows []struct {
		HTML string `bun:"html"`
	}
	if err := s.bun.NewSelect().Table("posts").Column("html").Where("uri LIKE ?", s.url+"/posts/%").Scan(ctx, &rows); err != nil {
		return err
	}
	times := map[int]int{}
	for _, row := range rows {
		var n int
		if i := strings.Index(row.HTML, "Post "); i >= 0 {
			if _, err := fmt.Sscanf(row.HTML[i:], loadFormat, &n); err == nil {
				times[n]++
			}
		}
	}
	for _, wr := range writes {
		switch times[wr.n] {
		case 1:
		case 0:
			if wr.err == nil {
				r.problemf("write %d was answered but is not stored", wr.n)
			}
		default:
			r.problemf("write %d is stored %d times", wr.n, times[wr.n])
		}
	}
	return nil
}

// senderPosts is the set of the sender's post URIs in its database.
func senderPosts(ctx context.Context, s *sender) (map[string]bool, error) {
	var have []string
	if err := s.bun.NewSelect().Table("posts").Column("uri").Where("uri LIKE ?", s.url+"/posts/%").Scan(ctx, &have); err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(have))
	for _, u := range have {
		in[u] = true
	}
	return in, nil
}

func sentSorted(s []string) []string {
	ps := make([]published, len(s))
	for i, u := range s {
		ps[i] = published{uri: u}
	}
	return uris(ps)
}

// linesWith picks the log lines that mention s.
func linesWith(logs, s string) string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
