// Package ratelimit keeps token buckets per key (an account, a client address, a peer
// origin) with bounded memory: idle buckets are dropped, and a flood of distinct keys
// cannot grow the table past its cap.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a set of token buckets with the same rate and burst, one per key.
type Keyed struct {
	limit   rate.Limit
	burst   int
	maxKeys int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// New makes buckets refilling perSecond tokens a second up to burst. A perSecond of zero
// or less, or a burst below one, turns limiting off (Allow always succeeds). maxKeys
// bounds the table; zero means 100,000.
func New(perSecond float64, burst, maxKeys int) *Keyed {
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	return &Keyed{limit: rate.Limit(perSecond), burst: burst, maxKeys: maxKeys, buckets: map[string]*bucket{}}
}

// PerMinute is New with a rate given per minute.
func PerMinute(n float64, burst, maxKeys int) *Keyed { return New(n/60, burst, maxKeys) }

// Off reports whether k never refuses.
func (k *Keyed) Off() bool { return k == nil || k.limit <= 0 || k.burst < 1 }

// Allow takes one token from key's bucket at now. When the bucket is empty it returns
// false and how long until a token is back, for a Retry-After header.
func (k *Keyed) Allow(key string, now time.Time) (bool, time.Duration) {
	if k.Off() {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, now)
	if b.l.AllowN(now, 1) {
		return true, 0
	}
	r := b.l.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	if wait <= 0 {
		wait = time.Second
	}
	return false, wait
}

// Reservation is one token taken by Reserve, which Cancel gives back.
type Reservation struct {
	r  *rate.Reservation
	at time.Time
}

// Cancel returns the token to its bucket, as if it had not been taken: for limits that
// count only failures (a login that succeeds gives its attempt back). Safe on nil.
func (r *Reservation) Cancel() {
	if r != nil && r.r != nil {
		// The reservation's own time, so the whole token comes back.
		r.r.CancelAt(r.at)
	}
}

// Reserve takes one token from key's bucket at now like Allow, and returns it as a
// Reservation the caller may give back. When the bucket is empty it takes nothing and
// returns false and how long until a token is back.
func (k *Keyed) Reserve(key string, now time.Time) (*Reservation, bool, time.Duration) {
	if k.Off() {
		return nil, true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, now)
	r := b.l.ReserveN(now, 1)
	if !r.OK() {
		return nil, false, time.Second
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return nil, false, wait
	}
	return &Reservation{r: r, at: now}, true, 0
}

// bucket returns key's bucket, making it if needed; k.mu is held.
func (k *Keyed) bucket(key string, now time.Time) *bucket {
	k.sweep(now)
	b, ok := k.buckets[key]
	if !ok {
		if len(k.buckets) >= k.maxKeys {
			// Still full after dropping idle buckets: start over; a reset only forgives.
			k.buckets = map[string]*bucket{}
		}
		b = &bucket{l: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	return b
}

// idleAfter is how long a bucket is kept unused: by then it is full again, so dropping it
// changes nothing.
func (k *Keyed) idleAfter() time.Duration {
	full := float64(k.burst) / float64(k.limit) * float64(time.Second)
	if full > float64(time.Hour) || math.IsInf(full, 0) || math.IsNaN(full) {
		return time.Hour
	}
	return time.Duration(full) + time.Second
}

// sweep drops idle buckets, at most once per idle period.
func (k *Keyed) sweep(now time.Time) {
	idle := k.idleAfter()
	if now.Sub(k.lastSweep) < idle {
		return
	}
	k.lastSweep = now
	for key, b := range k.buckets {
		if now.Sub(b.seen) >= idle {
			delete(k.buckets, key)
		}
	}
}

// Len is the number of buckets held, for tests.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// RetryAfterSeconds rounds d up to whole seconds, at least one, for a Retry-After header.
func RetryAfterSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}
