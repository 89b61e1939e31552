// Command atrium runs an Atrium node and administers it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand(env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "atrium:", err)
		os.Exit(1)
	}
}
