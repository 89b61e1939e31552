// Package faults runs fault scenarios against real `atrium serve` processes on loopback:
// a crash of the sending node mid-burst, a peer that is down for a while, a PostgreSQL
// restart under load and a slow peer. Each returns a Result that counts what was sent,
// received, duplicated and lost. The command `atrium-bench faults` runs them; the go
// tests of cmd/atrium run the cheap ones with small sizes.
package faults

import (
	"io"
	"time"
)

// Options configure a scenario run.
type Options struct {
	// Atrium is the atrium executable; AtriumEnv is added to its environment (tests run
	// their own binary as atrium with a switch variable).
	Atrium    string
	AtriumEnv []string
	// Dialect is the sending node's database: "sqlite" or "postgres".
	Dialect string
	// PostgresURL is the PostgreSQL server for the nodes' schemas when Dialect is
	// postgres (scenario c puts the sender on a private server of its own instead).
	PostgresURL string
	// N is how many posts the sender publishes.
	N int
	// Lease is the sender's delivery lease (ATRIUM_DELIVERY_LEASE); zero means 1 minute.
	Lease time.Duration
	// Outage is how long the peer (scenario b) or PostgreSQL (scenario c) stays down.
	Outage time.Duration
	// Slow is how long the slow peer takes to answer (scenario d).
	Slow time.Duration
	// Load is how long writes go on in scenario c, and Rate how many per second.
	Load time.Duration
	Rate int
	// PGBin is the directory of initdb and pg_ctl (scenario c).
	PGBin string
	// Log receives progress lines; nil for none.
	Log io.Writer
}

func (o Options) lease() time.Duration {
	if o.Lease <= 0 {
		return time.Minute
	}
	return o.Lease
}
