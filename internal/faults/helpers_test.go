package faults

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestScheduleLimit(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{
		{1, 12 * time.Second},
		{2, 24 * time.Second},
		{4, 96 * time.Second},
		{30, 72 * time.Minute},
	} {
		if got := scheduleLimit(tc.attempts); got != tc.want {
			t.Errorf("scheduleLimit(%d) = %s, want %s", tc.attempts, got, tc.want)
		}
	}
}

func TestObjectID(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`"https://a.example/posts/1"`, "https://a.example/posts/1"},
		{`{"id":"https://a.example/posts/2","type":"Note"}`, "https://a.example/posts/2"},
		{`null`, ""},
		{`42`, ""},
	} {
		if got := objectID(json.RawMessage(tc.raw)); got != tc.want {
			t.Errorf("objectID(%s) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestLatencyOf(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latencyOf(ds)
	want := Latency{N: 100, P50: 51, P90: 91, P99: 100, Max: 100}
	if *got != want {
		t.Errorf("latencyOf = %+v, want %+v", *got, want)
	}
	if empty := latencyOf(nil); *empty != (Latency{}) {
		t.Errorf("latencyOf(nil) = %+v", *empty)
	}
}

func TestResultFinish(t *testing.T) {
	for _, tc := range []struct {
		name string
		peer PeerResult
		ok   bool
	}{
		{"exactly once", PeerResult{Expected: 3, Stored: 3}, true},
		{"lost", PeerResult{Expected: 3, Stored: 2, Lost: 1}, false},
		{"duplicated", PeerResult{Expected: 3, Stored: 3, Duplicated: 1}, false},
	} {
		r := &Result{Peers: []PeerResult{tc.peer}}
		r.finish()
		if r.OK != tc.ok {
			t.Errorf("%s: OK = %v, problems %v", tc.name, r.OK, r.Problems)
		}
		if !strings.Contains(r.Summary(), "expected") {
			t.Errorf("%s: summary without table:\n%s", tc.name, r.Summary())
		}
	}
}
