package faults

import (
	"bytes"
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
	"time"
)

// process is a node run as `atrium serve`, configured through ATRIUM_* variables: the
// node under test. Killing it is a real crash: nothing of it survives but its database.
type process struct {
	bin  string
	env  []string
	url  string
	logs *lockedBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	runs   int
}

// start runs the process and waits until URL/readyz answers 200.
func (p *process) start() error {
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		return errors.New("already running")
	}
	p.runs++
	fmt.Fprintf(p.logs, "--- run %d ---\n", p.runs)
	cmd := exec.Command(p.bin, "serve")
	cmd.Env = append(withoutAtriumEnv(), p.env...)
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return err
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(p.logs, "--- exit: %v ---\n", err)
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	return waitReady(p.url, exited)
}

// kill ends the process with SIGKILL and waits until it is gone.
func (p *process) kill() { p.end(syscall.SIGKILL) }

// stop ends the process with SIGTERM, the orderly shutdown.
func (p *process) stop() { p.end(syscall.SIGTERM) }

func (p *process) end(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd, p.exited = nil, nil
}

// running reports whether the process has not exited, and its pid.
func (p *process) running() (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0, false
	}
	select {
	case <-p.exited:
		return p.cmd.Process.Pid, false
	default:
		return p.cmd.Process.Pid, true
	}
}

// runOnce runs `atrium args...` with the process's configuration and returns its output.
func (p *process) runOnce(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = append(withoutAtriumEnv(), p.env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("atrium %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), nil
}

// withoutAtriumEnv is this process's environment without ATRIUM_* variables, which
// would configure the child behind the scenario's back.
func withoutAtriumEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATRIUM_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitReady polls origin/readyz until it answers 200 or the process exits.
func waitReady(origin string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		if resp, err := client.Get(origin + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 from %s/readyz within 60s", origin)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback host:port nothing listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
