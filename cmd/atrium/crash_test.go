package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/faults"
	"github.com/atrium-intranet/atrium/internal/testrig"
)

// runMainEnv, set to 1, makes the test binary run the atrium command instead of the
// tests, so the fault scenarios start real `atrium serve` processes without a build step.
const runMainEnv = "ATRIUM_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// faultOptions are the options of a fault scenario run with this test binary as the
// atrium executable. testrig.DatabaseURL skips the PostgreSQL run when no server is
// reachable (and fails under CI=true).
func faultOptions(t *testing.T, dialect string) faults.Options {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_ = testrig.DatabaseURL(t, dialect)
	return faults.Options{Atrium: self, AtriumEnv: []string{runMainEnv + "=1"}, Dialect: dialect, PostgresURL: testrig.PostgresURL()}
}

// checkFault fails t with the scenario's table when it lost, duplicated or failed a check.
func checkFault(t *testing.T, res *faults.Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Summary())
	if !res.OK {
		t.Fatalf("scenario %s failed: %v", res.Scenario, res.Problems)
	}
}

// TestSIGKILLMidBurstDeliversOnce is scenario a at 300 posts: the sending node is killed
// with SIGKILL while deliveries are in flight, restarted on the same data, and the
// receiver must end up with every activity exactly once.
func TestSIGKILLMidBurstDeliversOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED under -short: runs node processes and waits out a delivery lease")
	}
	t.Parallel() // the fault scenarios mostly wait (leases, outages, backoff): they overlap
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel() // most of each run waits for the lease; the runs overlap
			o := faultOptions(t, dialect)
			o.N, o.Lease = 300, 5*time.Second
			res, err := faults.SIGKILLMidBurst(context.Background(), o)
			checkFault(t, res, err)
			// Both kinds of request in flight must have been caught by the kill: handled
			// without the sender knowing, and lost.
			if p := res.Peers[0]; p.Resent == 0 || p.Dropped == 0 {
				t.Errorf("%d activities handled twice, %d requests lost: the kill did not catch both kinds of delivery in flight", p.Resent, p.Dropped)
			}
		})
	}
}
