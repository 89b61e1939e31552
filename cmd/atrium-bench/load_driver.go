package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// driver runs virtual users against one node's JSON API.
type driver struct {
	base   string // the node's origin
	client *http.Client
}

// newDriver makes a client that keeps one idle connection per user: every user keeps
// its connection between requests, as browsers and apps do.
func newDriver(base string, users int) *driver {
	tr := &http.Transport{
		MaxIdleConns:        users + 8,
		MaxIdleConnsPerHost: users + 8,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &driver{base: base, client: &http.Client{Transport: tr, Timeout: time.Minute}}
}

func (d *driver) close() { d.client.CloseIdleConnections() }

// phase is one run of the users: how many, their pause and mix, and for how long. Requests
// that start before warmUp has passed are made but not recorded.
type phase struct {
	users    int
	think    think
	mix      mix
	warmUp   time.Duration
	duration time.Duration // measured part, after the warm-up
}

// run starts p.users users, each with its own token, and waits until the phase is over.
// Each user starts after a random part of one pause so that they do not arrive together.
func (d *driver) run(ctx context.Context, p phase, tokens []string, rec *recorder, seed uint64) {
	start := time.Now()
	measureFrom := start.Add(p.warmUp)
	end := measureFrom.Add(p.duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < p.users; i++ {
		u := &user{d: d, token: tokens[i%len(tokens)], rng: rand.New(rand.NewPCG(seed, uint64(i)))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p.think.max > 0 && !sleepCtx(ctx, time.Duration(u.rng.Int64N(int64(p.think.max)))) {
				return
			}
			for ctx.Err() == nil {
				op := p.mix.pick(u.rng)
				began := time.Now()
				op, code, err := u.do(ctx, op)
				took := time.Since(began)
				if ctx.Err() != nil {
					return // cut off by the end of the phase: not a failure of the node
				}
				if began.After(measureFrom) {
					rec.record(op, took, statusOf(code, err))
				}
				if !sleepCtx(ctx, p.think.draw(u.rng)) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// user is one virtual user: its token and what it saw on the last page it read.
type user struct {
	d     *driver
	token string
	rng   *rand.Rand
	next  string   // cursor of the page below the last one read
	seen  []string // ids of the posts on the last page read
}

// do performs op and returns the operation actually done (a user who has read nothing
// yet loads the home page first), the status code and any transport error.
func (u *user) do(ctx context.Context, op string) (string, int, error) {
	switch {
	case op == opScroll && u.next == "":
		op = opHome
	case (op == opComment || op == opReact) && len(u.seen) == 0:
		op = opHome
	}
	switch op {
	case opHome:
		code, err := u.readPage(ctx, "")
		return op, code, err
	case opScroll:
		code, err := u.readPage(ctx, u.next)
		return op, code, err
	case opPost:
		code, err := u.send(ctx, "/api/v1/statuses", map[string]any{"status": u.text(), "visibility": "company"})
		return op, code, err
	case opComment:
		id := u.seen[u.rng.IntN(len(u.seen))]
		code, err := u.send(ctx, "/api/v1/statuses", map[string]any{"status": u.text(), "in_reply_to_id": id})
		return op, code, err
	case opReact:
		id := u.seen[u.rng.IntN(len(u.seen))]
		code, err := u.send(ctx, "/api/v1/statuses/"+url.PathEscape(id)+"/favourite", nil)
		return op, code, err
	}
	return op, 0, fmt.Errorf("unknown operation %q", op)
}

// readPage loads a page of the home timeline and keeps its post ids and next cursor.
func (u *user) readPage(ctx context.Context, maxID string) (int, error) {
	path := "/api/v1/timelines/home?limit=20"
	if maxID != "" {
		path += "&max_id=" + url.QueryEscape(maxID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.d.base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, body, err := u.roundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return code(resp), err
	}
	var page []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return resp.StatusCode, fmt.Errorf("home timeline: %w", err)
	}
	u.seen = u.seen[:0]
	for _, p := range page {
		u.seen = append(u.seen, p.ID)
	}
	u.next = ""
	if len(page) > 0 && strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		u.next = page[len(page)-1].ID
	}
	return resp.StatusCode, nil
}

// send POSTs body as JSON (or nothing when body is nil).
func (u *user) send(ctx context.Context, path string, body any) (int, error) {
	var r io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.d.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, _, err := u.roundTrip(req)
	return code(resp), err
}

func (u *user) roundTrip(req *http.Request) (*http.Response, []byte, error) {
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Accept", "application/json")
	resp, err := u.d.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	// Read to the end so that the connection is reused.
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func code(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// loadWords make the texts of posts and comments: short, with a hashtag now and then.
var loadWords = strings.Fields(`team meeting project release customer update plan review office
	Projekt Besprechung Kunde Termin Bericht Planung heute morgen woche thanks danke`)

func (u *user) text() string {
	n := 5 + u.rng.IntN(20)
	words := make([]string, n)
	for i := range words {
		words[i] = loadWords[u.rng.IntN(len(loadWords))]
	}
	if u.rng.IntN(4) == 0 {
		words = append(words, fmt.Sprintf("#topic%d", u.rng.IntN(300)))
	}
	return strings.Join(words, " ")
}
