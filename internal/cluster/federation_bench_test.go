package cluster_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/oklog/ulid/v2"
)

// Sizes of one benchmark iteration; docs/benchmarks.md records the figures they give.
const (
	// latencyPosts is how many posts BenchmarkPostLatency times one after another.
	latencyPosts = 1000
	// ingestActivities is how many signed Creates BenchmarkInboxIngest posts per iteration.
	ingestActivities = 3000
	// ingestWorkers is how many clients post to the inbox at once, unless
	// ATRIUM_BENCH_INGEST_WORKERS says otherwise.
	ingestWorkers = 16
	// fanoutNodes is how many sibling nodes BenchmarkFanout10 delivers to.
	fanoutNodes = 10
	// fanoutRounds is how many company posts BenchmarkFanout10 times.
	fanoutRounds = 20
	// pollEvery is how often a receiving store is asked whether a post arrived.
	pollEvery = 250 * time.Microsecond
	// arrivalTimeout bounds the wait for one post; federation on loopback takes ms.
	arrivalTimeout = 30 * time.Second
)

// BenchmarkPostLatency times, for posts created one after another on node A, the span
// from the start of Posts.Create on A to the post being stored on node B: A's
// transaction with its delivery row, the worker's claim, signing, the HTTP POST, B's
// verification and B's transaction. Reported: p50, p99 and max in ms.
func BenchmarkPostLatency(b *testing.B) {
	for _, dialect := range testrig.Dialects {
		b.Run(dialect, func(b *testing.B) {
			nodes := cluster.Start(b, dialect, "Berlin", "Munich")
			a, dst := nodes[0], nodes[1]
			cluster.Connect(a, dst)
			alice := a.User("alice")
			// The first post makes Munich fetch Alice's actor; later ones find it cached.
			waitStored(b, dst, createPost(b, a, alice, "warm-up").URI)
			var lat []time.Duration
			b.ResetTimer()
			for range b.N {
				for i := range latencyPosts {
					start := time.Now()
					p := createPost(b, a, alice, "Post number "+strconv.Itoa(i)+" from **Berlin**")
					waitStored(b, dst, p.URI)
					lat = append(lat, time.Since(start))
				}
			}
			b.StopTimer()
			reportLatencies(b, lat)
		})
	}
}

// BenchmarkInboxIngest measures how many signed Create activities per second node B's
// shared inbox takes over real HTTP, from ingestWorkers concurrent clients. The requests
// are built and signed before the clock starts (Dates well inside the 5-minute window),
// so the figure is the receiver's: signature check, parsing, rules and storage.
func BenchmarkInboxIngest(b *testing.B) {
	for _, dialect := range testrig.Dialects {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			nodes := cluster.Start(b, dialect, "Berlin", "Munich")
			a, dst := nodes[0], nodes[1]
			cluster.Connect(a, dst)
			alice := a.User("alice")
			// Munich caches Alice's actor and key before the clock starts.
			dst.Find(a, "alice")
			signer := accountSigner(b, a, alice)
			workers := ingestWorkers
			if n, err := strconv.Atoi(os.Getenv("ATRIUM_BENCH_INGEST_WORKERS")); err == nil && n > 0 {
				workers = n
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
			var total, selfCPU, pgCPU time.Duration
			cpuOK := true
			sent := 0
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				reqs := signedCreates(b, a, alice, signer, dst.URL+"/inbox", ingestActivities)
				b.StartTimer()
				cpu0 := sampleCPU()
				start := time.Now()
				postAll(b, client, reqs, workers)
				total += time.Since(start)
				self, pg, ok := sampleCPU().since(cpu0)
				selfCPU, pgCPU, cpuOK = selfCPU+self, pgCPU+pg, cpuOK && ok
				sent += len(reqs)
			}
			b.StopTimer()
			n, err := dst.Store.DB().NewSelect().Model((*model.Post)(nil)).Where("NOT local").Count(ctx)
			if err != nil || int(n) != sent {
				b.Fatalf("Munich stored %d remote posts of %d sent (%v)", n, sent, err)
			}
			b.ReportMetric(float64(sent)/total.Seconds(), "activities/s")
			b.ReportMetric(float64(workers), "clients")
			if cpuOK {
				// Where the CPU went: this process (both nodes, the clients) and PostgreSQL.
				b.ReportMetric(float64(selfCPU.Microseconds())/float64(sent), "go-cpu-µs/act")
				if dialect == "postgres" {
					b.ReportMetric(float64(pgCPU.Microseconds())/float64(sent), "pg-cpu-µs/act")
				}
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkFanout10 times one company post of a node with fanoutNodes sibling peers
// until every sibling has stored it (SQLite, to keep eleven nodes within a small machine).
// Reported: p50 and max over fanoutRounds posts, in ms.
func BenchmarkFanout10(b *testing.B) {
	names := []string{"Sender"}
	for i := range fanoutNodes {
		names = append(names, "Sibling"+strconv.Itoa(i+1))
	}
	nodes := cluster.Start(b, "sqlite", names...)
	sender, siblings := nodes[0], nodes[1:]
	for _, s := range siblings {
		sender.Allow(s, model.TrustSibling)
		s.Allow(sender, model.TrustSibling)
	}
	carol := sender.User("carol")
	warm := createPost(b, sender, carol, "warm-up")
	for _, s := range siblings {
		waitStored(b, s, warm.URI)
	}
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		for i := range fanoutRounds {
			start := time.Now()
			p := createPost(b, sender, carol, "Company news number "+strconv.Itoa(i))
			var wg sync.WaitGroup
			for _, s := range siblings {
				wg.Add(1)
				go func() {
					defer wg.Done()
					waitStored(b, s, p.URI)
				}()
			}
			wg.Wait()
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	reportLatencies(b, lat)
}

// createPost makes a company post on n.
func createPost(b testing.TB, n *cluster.Node, author *model.Account, text string) *model.Post {
	p, err := n.Social.Posts.Create(context.Background(), author, social.PostInput{Source: text, Audience: model.AudienceCompany})
	if err != nil {
		b.Fatalf("create post on %s: %v", n, err)
	}
	return p
}

// waitStored polls n's store until the post uri is there. It may run in goroutines, so
// it reports a timeout with Errorf and returns.
func waitStored(b testing.TB, n *cluster.Node, uri string) {
	ctx := context.Background()
	deadline := time.Now().Add(arrivalTimeout)
	for {
		if _, err := n.Store.PostByURI(ctx, uri); err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Errorf("%s did not receive %s within %s", n, uri, arrivalTimeout)
			return
		}
		time.Sleep(pollEvery)
	}
}

// reportLatencies reports p50, p99 and max of lat in ms, replacing ns/op, which would
// mean the time of a whole batch.
func reportLatencies(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	pick := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	b.ReportMetric(ms(pick(0.50)), "p50-ms")
	b.ReportMetric(ms(pick(0.99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(len(lat)), "samples")
	b.ReportMetric(0, "ns/op")
}

// accountSigner returns a signer with the private key of the local account a of n.
func accountSigner(b testing.TB, n *cluster.Node, a *model.Account) *federation.Signer {
	stored, err := n.Store.Account(context.Background(), a.ID)
	if err != nil {
		b.Fatal(err)
	}
	block, _ := pem.Decode([]byte(stored.PrivateKeyPEM))
	if block == nil {
		b.Fatal("account key: no PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	s, err := federation.NewSigner(activitypub.KeyID(stored.URI), key, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// signedCreate is one request ready to send: its body is set by Sign.
type signedCreate struct{ req *http.Request }

// signedCreates builds count Create{Note} activities by author of node n, company
// audience, each with its own post id, as n's outbox would, and signs their POSTs to inbox.
func signedCreates(b testing.TB, n *cluster.Node, author *model.Account, signer *federation.Signer, inbox string, count int) []signedCreate {
	uris := model.NewURIs(n.URL)
	now := time.Now().UTC().Truncate(time.Microsecond)
	out := make([]signedCreate, count)
	for i := range out {
		id := ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String()
		text := fmt.Sprintf("Ingest post %d", i)
		p := &model.Post{ID: id, URI: uris.Post(id), AccountID: author.ID, Audience: model.AudienceCompany,
			Source: text, HTML: "<p>" + text + "</p>", Local: true, CreatedAt: now, UpdatedAt: now}
		act, err := activitypub.NewCreate(activitypub.PostActivity{URIs: uris, Post: p, Author: author})
		if err != nil {
			b.Fatal(err)
		}
		body, err := activitypub.Marshal(uris.Base, act)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", activitypub.ActivityContentType)
		if err := signer.Sign(req, body); err != nil {
			b.Fatal(err)
		}
		out[i] = signedCreate{req: req}
	}
	return out
}

// postAll sends reqs from workers goroutines and fails unless every one is answered
// 202 Accepted.
func postAll(b testing.TB, client *http.Client, reqs []signedCreate, workers int) {
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				resp, err := client.Do(reqs[i].req)
				if err == nil {
					msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, msg)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { b.Errorf("inbox POST: %v", err) })
				}
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d inbox POSTs failed", n, len(reqs))
	}
}

// userHZ is the unit of the CPU times in /proc (USER_HZ, 100 on Linux).
const userHZ = 100

// cpuSample is the CPU time (user + system) used so far by this process and by each
// process named postgres, from /proc. It shows where an ingest's CPU goes on a machine
// whose two cores everything shares.
type cpuSample struct {
	self time.Duration
	pg   map[string]time.Duration // by pid
	ok   bool
}

// sampleCPU reads a cpuSample; ok is false without /proc.
func sampleCPU() cpuSample {
	self, ok := procCPU("/proc/self/stat")
	if !ok {
		return cpuSample{}
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return cpuSample{}
	}
	s := cpuSample{self: self, pg: map[string]time.Duration{}, ok: true}
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if t, ok := procCPU("/proc/" + d.Name() + "/stat"); ok {
			s.pg[d.Name()] = t
		}
	}
	return s
}

// since returns the CPU this process and PostgreSQL used between from and s. A backend
// that started in between counts whole; one that ended in between (another test's) is
// lost, which is why the PostgreSQL figure is compared per process.
func (s cpuSample) since(from cpuSample) (self, pg time.Duration, ok bool) {
	if !s.ok || !from.ok {
		return 0, 0, false
	}
	for pid, t := range s.pg {
		pg += t - from.pg[pid]
	}
	return s.self - from.self, pg, true
}

// procCPU reads utime + stime from a /proc/<pid>/stat file.
func procCPU(path string) (time.Duration, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	// The command name may hold spaces; the fields after it are space-separated, state
	// first, so utime and stime (fields 14 and 15) are at 11 and 12.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / userHZ, true
}
