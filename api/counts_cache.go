package api

import (
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/social"
)

// countsTTL is how long the counts of an account embedded in statuses are reused.
// Every status of a page carries its author's counts, up to 20 authors per page, read in
// one query for those not cached. Mastodon's counters lag the same way. The token
// owner's own account (verify_credentials) is always counted afresh.
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
	stats social.AccountStats
	at    time.Time
}

func newCountsCache() *countsCache {
	return &countsCache{now: time.Now, entries: map[string]countsEntry{}}
}

// get returns the counts of ids: those read within countsTTL from the cache, the others
// through one call of read, which it keeps. An id read returns nothing for is missing
// from the result.
func (c *countsCache) get(ids []string, read func(ids []string) (map[string]social.AccountStats, error)) (map[string]social.AccountStats, error) {
	now := c.now()
	out := make(map[string]social.AccountStats, len(ids))
	var missing []string
	c.mu.Lock()
	for _, id := range ids {
		e, ok := c.entries[id]
		if ok && now.Sub(e.at) < countsTTL && !now.Before(e.at) {
			out[id] = e.stats
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := read(missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries)+len(got) > maxCountsEntries {
		clear(c.entries)
	}
	for id, s := range got {
		c.entries[id] = countsEntry{stats: s, at: now}
		out[id] = s
	}
	return out, nil
}
