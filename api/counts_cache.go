package api

import (
	"sync"
	"time"
)

// countsTTL is how long the counts of an account embedded in statuses are reused.
// Every status of a page carries its author's counts: three counting queries per author,
// up to 20 authors per page. Mastodon's counters lag the same way. The token owner's own
// account (verify_credentials) is always counted afresh.
const countsTTL = 5 * time.Minute

// maxCountsEntries bounds the cache; it starts over when full.
const maxCountsEntries = 10_000

// countsCache keeps accounts' counts for countsTTL. It belongs to one handler.
type countsCache struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]countsEntry
}

type countsEntry struct {
	stats accountStats
	at    time.Time
}

func newCountsCache() *countsCache {
	return &countsCache{now: time.Now, entries: map[string]countsEntry{}}
}

// get returns the counts of accountID read within countsTTL, or reads and keeps them.
func (c *countsCache) get(accountID string, read func() (accountStats, error)) (accountStats, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[accountID]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < countsTTL && !now.Before(e.at) {
		return e.stats, nil
	}
	s, err := read()
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCountsEntries {
		clear(c.entries)
	}
	c.entries[accountID] = countsEntry{stats: s, at: now}
	c.mu.Unlock()
	return s, nil
}
