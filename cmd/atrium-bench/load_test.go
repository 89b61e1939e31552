package main

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRecorderPercentiles(t *testing.T) {
	rec := newRecorder()
	for i := 1; i <= 1000; i++ { // 1 ms … 1000 ms, one each
		rec.record(opHome, time.Duration(i)*time.Millisecond, "200")
	}
	rec.record(opPost, 5*time.Millisecond, "201")
	rec.record(opPost, 7*time.Millisecond, "500")
	rec.record(opPost, 0, "error")
	got := rec.summary(10 * time.Second)
	if len(got) != 2 || got[0].Op != opHome || got[1].Op != opPost {
		t.Fatalf("summary ops = %+v", got)
	}
	home := got[0]
	near := func(v, want float64) bool { return v >= want*0.999 && v <= want*1.001+0.001 }
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", home.P50ms, 500}, {"p90", home.P90ms, 900}, {"p99", home.P99ms, 990}, {"max", home.MaxMs, 1000}, {"per second", home.PerSecond, 100}} {
		if !near(c.got, c.want) {
			t.Errorf("home %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if home.Errors != 0 || home.Statuses["200"] != 1000 {
		t.Errorf("home answers = %v, errors %d", home.Statuses, home.Errors)
	}
	if post := got[1]; post.Errors != 2 || post.Requests != 3 {
		t.Errorf("post errors = %d of %d, want 2 of 3 (500 and no answer)", post.Errors, post.Requests)
	}
}

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		want    string
	}{
		{defaultMix, "", "home 70%, scroll 15%, react 8%, comment 4%, post 3%"},
		{"home=1,post=1", "", "home 50%, post 50%"},
		{"home=5,post=0", "", "home 100%"},
		{"home", "not op=weight", ""},
		{"home=1,dance=1", "unknown operation", ""},
		{"home=1,home=2", "given twice", ""},
		{"home=-1", "whole number", ""},
		{"home=0", "no operation", ""},
	}
	for _, tt := range tests {
		m, err := parseMix(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseMix(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || m.String() != tt.want {
			t.Errorf("parseMix(%q) = %q, %v; want %q", tt.in, m.String(), err, tt.want)
		}
	}
}

func TestMixPickFollowsWeights(t *testing.T) {
	m, err := parseMix("home=70,post=30,react=0")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for i := 0; i < 100_000; i++ {
		counts[m.pick(rng)]++
	}
	if counts[opReact] != 0 || counts[opHome]+counts[opPost] != 100_000 {
		t.Fatalf("counts = %v", counts)
	}
	if share := float64(counts[opHome]) / 100_000; share < 0.69 || share > 0.71 {
		t.Errorf("home share = %.3f, want ≈ 0.70", share)
	}
}

func TestParseThink(t *testing.T) {
	tests := []struct {
		in       string
		min, max time.Duration
		bad      bool
	}{
		{"1s-3s", time.Second, 3 * time.Second, false},
		{"500ms", 500 * time.Millisecond, 500 * time.Millisecond, false},
		{"0", 0, 0, false},
		{"3s-1s", 0, 0, true},
		{"soon", 0, 0, true},
	}
	for _, tt := range tests {
		got, err := parseThink(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && (got.min != tt.min || got.max != tt.max)) {
			t.Errorf("parseThink(%q) = %+v, %v", tt.in, got, err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	th := think{time.Second, 3 * time.Second}
	for i := 0; i < 1000; i++ {
		if d := th.draw(rng); d < th.min || d >= th.max {
			t.Fatalf("draw = %s outside [1s, 3s)", d)
		}
	}
}

func TestReadMemoryOfSelf(t *testing.T) {
	m, err := readMemory(os.Getpid())
	if err != nil || m.RSSKiB <= 0 || m.HWMKiB < m.RSSKiB {
		t.Errorf("readMemory(self) = %+v, %v", m, err)
	}
	if _, err := cpuTime(os.Getpid()); err != nil {
		t.Errorf("cpuTime(self): %v", err)
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(5, 6)) }
