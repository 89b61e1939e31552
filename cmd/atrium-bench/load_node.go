package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildNode compiles ./cmd/atrium of the checkout in the working directory into dir.
func buildNode(ctx context.Context, dir string) (string, error) {
	if _, err := os.Stat(filepath.Join("cmd", "atrium")); err != nil {
		return "", fmt.Errorf("run atrium-bench from the repository root: %w", err)
	}
	bin := filepath.Join(dir, "atrium")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/atrium")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/atrium: %w", err)
	}
	return bin, nil
}

// nodeProcess is a running `atrium serve`.
type nodeProcess struct {
	cmd    *exec.Cmd
	base   string
	pprof  string // host:port of the node's profiling listener
	stderr *tailBuffer
	// logFile, if set, receives the whole log; closed by stop.
	logFile *os.File
	done    chan error
}

// startNode runs `atrium serve` on the given database with the settings of a load run:
// no post rate limit, warnings only in the log (everything from info up in logFile, if
// given), no directory schedule. identity is the node's base URL, the origin the data
// set's URIs name; it listens on a free port.
func startNode(bin string, db nodeDB, identity, logFile string) (*nodeProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pprofPort, err := freePort()
	if err != nil {
		return nil, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	n := &nodeProcess{base: "http://" + listen, pprof: "127.0.0.1:" + strconv.Itoa(pprofPort),
		stderr: &tailBuffer{max: 16 << 10}, done: make(chan error, 1)}
	level := "warn"
	var out io.Writer = n.stderr
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return nil, err
		}
		n.logFile, level, out = f, "info", io.MultiWriter(n.stderr, f)
	}
	n.cmd = exec.Command(bin, "serve")
	n.cmd.Env = append(os.Environ(),
		"ATRIUM_LISTEN="+listen,
		"ATRIUM_BASE_URL="+identity,
		"ATRIUM_DATA_DIR="+db.dataDir,
		"ATRIUM_DATABASE_URL="+db.databaseURL,
		"ATRIUM_SITE_NAME=Load",
		"ATRIUM_LOG_LEVEL="+level,
		"ATRIUM_POST_RATE=0",
		"ATRIUM_DIRECTORY_SYNC=0",
		"ATRIUM_PPROF_LISTEN="+n.pprof,
	)
	n.cmd.Stdout, n.cmd.Stderr = out, out
	if err := n.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	go func() { n.done <- n.cmd.Wait() }()
	return n, nil
}

// waitReady polls the API with a token until the node answers 200.
func (n *nodeProcess) waitReady(ctx context.Context, token string, patience time.Duration) error {
	deadline := time.Now().Add(patience)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.base+"/api/v1/accounts/verify_credentials", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			if resp.StatusCode != http.StatusServiceUnavailable {
				return fmt.Errorf("node answers %d to a load user's token; its log:\n%s", resp.StatusCode, n.stderr)
			}
		}
		select {
		case err := <-n.done:
			return fmt.Errorf("node exited (%v); its log:\n%s", err, n.stderr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("node not ready after %s; its log:\n%s", patience, n.stderr)
		}
	}
}

// gc asks the node's runtime for a garbage collection through its profiling listener (a
// heap profile with gc=1), so that idle memory is read after a collection. It reports
// whether the node has the listener.
func (n *nodeProcess) gc(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.pprof+"/debug/pprof/heap?gc=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGINT and waits for a clean shutdown, killing the node after 20 s.
func (n *nodeProcess) stop() error {
	if n.logFile != nil {
		defer n.logFile.Close()
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-n.done:
		return err
	case <-time.After(20 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
		return fmt.Errorf("node did not stop within 20 s: killed")
	}
}

func (n *nodeProcess) pid() int { return n.cmd.Process.Pid }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// memory is a process's resident set from /proc/<pid>/status, in KiB.
type memory struct {
	RSSKiB int64 `json:"rss_kib"` // VmRSS: resident now
	HWMKiB int64 `json:"hwm_kib"` // VmHWM: the peak since start
}

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSSKiB = v
		case "VmHWM":
			m.HWMKiB = v
		}
	}
	return m, nil
}

// cpuTime is the user+system CPU a process has used, from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces: fields start after the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// selfCPU is the CPU this process (the load generator) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssSampler reads a process's VmRSS every 250 ms and keeps the largest value.
type rssSampler struct {
	mu   sync.Mutex
	peak int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := readMemory(pid); err == nil {
				s.mu.Lock()
				s.peak = max(s.peak, m.RSSKiB)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// end stops sampling and returns the peak in KiB.
func (s *rssSampler) end() int64 {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// tailBuffer keeps the last max bytes written to it: the node's log, shown on failure.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuProfile fetches a CPU profile of the node over d into path.
func (n *nodeProcess) cpuProfile(ctx context.Context, d time.Duration, path string) error {
	return n.fetchProfile(ctx, fmt.Sprintf("profile?seconds=%d", int(d.Seconds())), path)
}

// fetchProfile saves the node's profile /debug/pprof/<what> into path.
func (n *nodeProcess) fetchProfile(ctx context.Context, what, path string) error {
	url := "http://" + n.pprof + "/debug/pprof/" + what
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
