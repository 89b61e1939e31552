package federation

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestInboxRateLimitPerAddress sends from one address under ever new peer keyIds: the
// address's own bucket refuses once it is empty, so rotating forged keyIds buys nothing.
// Requests without a signature count against the address too.
func TestInboxRateLimitPerAddress(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	h := &handler{now: func() time.Time { return now }, log: slog.New(slog.DiscardHandler),
		inboxLimits: newInboxLimits(1, 3)}
	reached := 0
	inbox := h.limitInbox(func(w http.ResponseWriter, r *http.Request) { reached++; w.WriteHeader(http.StatusAccepted) })
	post := func(ip, keyID string) int {
		r := httptest.NewRequest(http.MethodPost, "/inbox", nil)
		r.RemoteAddr = ip + ":40000"
		if keyID != "" {
			r.Header.Set("Signature", `keyId="`+keyID+`",algorithm="rsa-sha256",headers="date",signature="AAAA"`)
		}
		w := httptest.NewRecorder()
		inbox(w, r)
		return w.Code
	}
	for i := 0; i < 3; i++ {
		if got := post("10.0.0.9", fmt.Sprintf("http://p%d.example/users/x#main-key", i)); got != http.StatusAccepted {
			t.Fatalf("request %d within the burst: %d", i, got)
		}
	}
	for _, keyID := range []string{"http://fresh.example/users/x#main-key", ""} {
		if got := post("10.0.0.9", keyID); got != http.StatusTooManyRequests {
			t.Fatalf("fresh keyId %q from a spent address: %d, want 429", keyID, got)
		}
	}
	if got := post("10.0.0.10", "http://fresh.example/users/x#main-key"); got != http.StatusAccepted {
		t.Fatalf("the fresh peer from its own address: %d", got)
	}
	if reached != 4 {
		t.Fatalf("inbox reached %d times, want 4", reached)
	}
}
