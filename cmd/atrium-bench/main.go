// Command atrium-bench holds the evidence that is too slow or too disruptive for
// `go test ./...`: fault scenarios with real node processes, the load program, and the
// report that runs every benchmark and writes docs/benchmarks.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := &cobra.Command{
		Use:           "atrium-bench",
		Short:         "Fault scenarios, load program and benchmark report for Atrium",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(faultsCommand(), loadCommand(), reportCommand())
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "atrium-bench:", err)
		os.Exit(1)
	}
}
