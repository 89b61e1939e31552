package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ProcessOptions describe a node run as a separate operating-system process, the way an
// admin runs it: `atrium serve` configured through ATRIUM_* variables.
type ProcessOptions struct {
	// Name labels the process in test messages.
	Name string
	// Bin is the executable and Args its arguments, e.g. ["serve"].
	Bin  string
	Args []string
	// Env is the process's environment on top of this one's, as KEY=VALUE. ATRIUM_*
	// variables of this process are not inherited, so only Env configures the node.
	Env []string
	// URL is the node's origin; the node is ready when URL/readyz answers 200.
	URL string
}

// Process is a node running as a child process; it survives nothing of the test's memory,
// so killing it is a real crash.
type Process struct {
	o    ProcessOptions
	t    testing.TB
	logs *syncBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	runs   int
}

// StartProcess starts the process, waits until it is ready and kills it when the test
// ends (printing its output if the test failed).
func StartProcess(t testing.TB, o ProcessOptions) *Process {
	t.Helper()
	p := &Process{o: o, t: t, logs: &syncBuffer{}}
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("output of process %s (%s):\n%s", o.Name, o.URL, p.logs.String())
		}
	})
	p.Restart()
	return p
}

// Restart starts the process again (it must not be running) and waits until it is ready.
func (p *Process) Restart() {
	p.t.Helper()
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		p.t.Fatalf("restart %s: still running", p.o.Name)
	}
	p.runs++
	fmt.Fprintf(p.logs, "--- run %d ---\n", p.runs)
	cmd := exec.Command(p.o.Bin, p.o.Args...)
	cmd.Env = append(inheritedEnv(), p.o.Env...)
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		p.t.Fatalf("start %s: %v", p.o.Name, err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(p.logs, "--- exit: %v ---\n", err)
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	if err := waitReady(p.o.URL, exited); err != nil {
		p.t.Fatalf("%s did not become ready: %v\noutput:\n%s", p.o.Name, err, p.logs.String())
	}
}

// Kill ends the process with SIGKILL, as a crash or an out-of-memory kill would: no
// deferred function, no shutdown, no flush. It returns once the process is gone; a
// process not running is left alone.
func (p *Process) Kill() { p.end(syscall.SIGKILL) }

// Stop ends the process with SIGTERM, the orderly shutdown, and waits for it.
func (p *Process) Stop() { p.end(syscall.SIGTERM) }

func (p *Process) end(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	<-p.exited
	p.cmd, p.exited = nil, nil
}

// Logs is everything the process wrote to stdout and stderr, over all its runs.
func (p *Process) Logs() string { return p.logs.String() }

// FreeAddr returns a loopback host:port nothing listens on right now, for a node whose
// identity (its origin) must stay the same across restarts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// inheritedEnv is this process's environment without ATRIUM_* variables, which would
// otherwise configure the child behind the test's back.
func inheritedEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATRIUM_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitReady polls origin/readyz until it answers 200, the process exits, or a generous
// deadline passes.
func waitReady(origin string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, origin+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 from %s/readyz within 30s", origin)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
