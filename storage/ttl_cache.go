package storage

import (
	"sync"
	"time"
)

// CacheTTL is how long AllowedPeer and CachedRemoteAccount trust a row they read.
// Changes made through this process's Store take effect at once; changes made by
// another process (the CLI) may go unseen by these two lookups for up to this long.
const CacheTTL = 2 * time.Second

// maxCacheEntries bounds a cache's size.
const maxCacheEntries = 10_000

// ttlCache remembers rows read recently, by key, for CacheTTL. Only rows found are kept:
// a row just added is never missed because of the cache, and lookups of random keys
// cannot fill it. Entries are copies, so callers may change what they get.
type ttlCache[T any] struct {
	now func() time.Time

	mu sync.Mutex
	// gen changes on every invalidation; a lookup that began before one does not store
	// what it read, which may be older than the change.
	gen     uint64
	entries map[string]ttlEntry[T]
}

type ttlEntry[T any] struct {
	value T
	at    time.Time
}

func newTTLCache[T any]() *ttlCache[T] {
	return &ttlCache[T]{now: time.Now, entries: map[string]ttlEntry[T]{}}
}

// lookup returns a copy of the value cached under key if it was read within CacheTTL;
// otherwise it calls read and keeps its result unless the cache was invalidated
// meanwhile. The entry's age counts from before read, when the row was known to be there.
func (c *ttlCache[T]) lookup(key string, read func() (*T, error)) (*T, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	now, gen := c.now(), c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < CacheTTL && !now.Before(e.at) {
		v := e.value
		return &v, nil
	}
	v, err := read()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		// Rows of many remote accounts would otherwise stay for the process's life; the
		// cache only has to bridge bursts, so starting over now and then costs nothing.
		if len(c.entries) >= maxCacheEntries {
			clear(c.entries)
		}
		c.entries[key] = ttlEntry[T]{value: *v, at: now}
	}
	c.mu.Unlock()
	return v, nil
}

// invalidate forgets every entry and every lookup in flight.
func (c *ttlCache[T]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
