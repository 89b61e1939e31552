package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestKeyed(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	k := PerMinute(30, 5, 0)
	for i := 0; i < 5; i++ {
		if ok, _ := k.Allow("a", now); !ok {
			t.Fatalf("attempt %d refused within the burst", i)
		}
	}
	ok, wait := k.Allow("a", now)
	if ok || wait != 2*time.Second {
		t.Fatalf("sixth = %v, %v; want refused for 2s", ok, wait)
	}
	if ok, _ := k.Allow("b", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := k.Allow("a", now.Add(2*time.Second)); !ok {
		t.Fatal("token not back after the wait")
	}
	if RetryAfterSeconds(1500*time.Millisecond) != 2 || RetryAfterSeconds(0) != 1 {
		t.Fatal("RetryAfterSeconds does not round up")
	}
}

func TestKeyedBoundedMemory(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	k := New(10, 10, 100)
	for i := 0; i < 1000; i++ {
		k.Allow(fmt.Sprint(i), now)
	}
	if n := k.Len(); n > 100 {
		t.Fatalf("%d buckets held, cap 100", n)
	}
	// Idle buckets go once they would be full again.
	k.Allow("late", now.Add(time.Hour))
	if n := k.Len(); n != 1 {
		t.Fatalf("%d buckets after an idle hour, want 1", n)
	}
}

func TestKeyedOff(t *testing.T) {
	k := New(0, 0, 0)
	for i := 0; i < 1000; i++ {
		if ok, _ := k.Allow("a", time.Time{}); !ok {
			t.Fatal("a disabled limiter refused")
		}
	}
	var nilK *Keyed
	if ok, _ := nilK.Allow("a", time.Time{}); !ok {
		t.Fatal("a nil limiter refused")
	}
}

func TestKeyedReserveCancel(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	k := New(1.0/6, 2, 0)
	first, ok, _ := k.Reserve("a", now)
	if !ok {
		t.Fatal("first reservation refused")
	}
	// A cancelled reservation gives its token back, even later on.
	first.Cancel()
	for i := 0; i < 2; i++ {
		if _, ok, _ := k.Reserve("a", now.Add(time.Second)); !ok {
			t.Fatalf("reservation %d refused after a cancel", i)
		}
	}
	r, ok, wait := k.Reserve("a", now.Add(time.Second))
	if ok || r != nil || wait <= 0 || wait > 6*time.Second {
		t.Fatalf("over the burst: %v %v %v", r, ok, wait)
	}
	// A refused reservation took nothing: the token is back on time.
	if _, ok, _ := k.Reserve("a", now.Add(1*time.Second+wait)); !ok {
		t.Fatal("token not back after the wait")
	}
	var off *Keyed
	if r, ok, _ := off.Reserve("a", now); !ok {
		t.Fatal("a nil limiter refused")
	} else {
		r.Cancel()
	}
}
