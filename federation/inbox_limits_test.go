package federation

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
)

func TestInboxRateLimit(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	h := &handler{now: func() time.Time { return now }, log: slog.New(slog.DiscardHandler),
		inboxLimits: newInboxLimits(1, 2)}
	reached := 0
	inbox := h.limitInbox(func(w http.ResponseWriter, r *http.Request) { reached++; w.WriteHeader(http.StatusAccepted) })
	post := func(ip, keyID string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/inbox", nil)
		r.RemoteAddr = ip + ":40000"
		if keyID != "" {
			r.Header.Set("Signature", `keyId="`+keyID+`",algorithm="rsa-sha256",headers="date",signature="AAAA"`)
		}
		w := httptest.NewRecorder()
		inbox(w, r)
		return w
	}
	peerA := "http://a.example:8081/users/ann#main-key"
	for i := 0; i < 2; i++ {
		if w := post("10.0.0.1", peerA); w.Code != http.StatusAccepted {
			t.Fatalf("request %d within the burst: %d", i, w.Code)
		}
	}
	// Over the per-address burst.
	w := post("10.0.0.1", peerA)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("over the burst: %d, want 429", w.Code)
	}
	if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
	}
	// The peer's bucket is empty too, whichever address it sends from.
	if w := post("10.0.0.2", "http://a.example:8081/groups/g#main-key"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("same peer, other address: %d, want 429", w.Code)
	}
	// Another peer on another address is not affected.
	if w := post("10.0.0.3", "http://b.example:8082/users/bo#main-key"); w.Code != http.StatusAccepted {
		t.Fatalf("other peer: %d", w.Code)
	}
	if reached != 3 {
		t.Fatalf("inbox reached %d times, want 3 (refused requests must not get through)", reached)
	}
	now = now.Add(time.Second)
	if w := post("10.0.0.1", peerA); w.Code != http.StatusAccepted {
		t.Fatalf("after refill: %d", w.Code)
	}
}

// TestInboxDefaultLimitsAllowBenchmarkRates checks that the default limits let a peer
// deliver 2,000 activities within one second, the rate the federation benchmarks reach.
func TestInboxDefaultLimitsAllowBenchmarkRates(t *testing.T) {
	cfg := config.Default()
	l := newInboxLimits(cfg.InboxRate, cfg.InboxBurst)
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		at := start.Add(time.Duration(i) * time.Millisecond / 2)
		if ok, _ := l.byPeer.Allow("http://a.example:8081", at); !ok {
			t.Fatalf("request %d of a peer refused at the default limits", i)
		}
		if ok, _ := l.byIP.Allow("10.0.0.1", at); !ok {
			t.Fatalf("request %d of an address refused at the default limits", i)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":       0,
		"30":     30 * time.Second,
		"-5":     0,
		"soon":   0,
		"999999": maxRetry,
		now.Add(time.Minute).Format(http.TimeFormat): time.Minute,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
