package faults

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// DefaultPGBin is where Debian puts the PostgreSQL 15 server programs.
const DefaultPGBin = "/usr/lib/postgresql/15/bin"

// pgServer is a private PostgreSQL instance in a temporary directory, on a port of its
// own: scenario c stops and starts it without touching any other server. PostgreSQL
// refuses to run as root, so under root it runs as the postgres user.
type pgServer struct {
	bin  string
	dir  string
	port int
	asPG bool
	url  string
}

// startPGServer creates and starts the instance.
func startPGServer(ctx context.Context, bin string) (*pgServer, error) {
	if bin == "" {
		bin = DefaultPGBin
	}
	dir, err := os.MkdirTemp("", "atrium-faults-pg-")
	if err != nil {
		return nil, err
	}
	s := &pgServer{bin: bin, dir: dir, asPG: os.Geteuid() == 0}
	if s.asPG {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s.port, _ = strconv.Atoi(addr[strings.LastIndex(addr, ":")+1:])
	s.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	if _, err := s.run(ctx, "initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "--no-sync"); err != nil {
		s.remove()
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

func (s *pgServer) data() string { return filepath.Join(s.dir, "data") }

// start starts the server and waits until it takes connections.
func (s *pgServer) start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", s.port, s.dir)
	if _, err := s.run(ctx, "pg_ctl", "-D", s.data(), "-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "start"); err != nil {
		return err
	}
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(s.url), pgdriver.WithTimeout(5*time.Second)))
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("private PostgreSQL on port %d: %w", s.port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop shuts the server down in fast mode: open sessions are ended, as in a restart by
// an admin or a failover.
func (s *pgServer) stop(ctx context.Context) error {
	_, err := s.run(ctx, "pg_ctl", "-D", s.data(), "-m", "fast", "-w", "stop")
	return err
}

// close stops the server and removes its files.
func (s *pgServer) close() {
	_ = s.stop(context.Background())
	s.remove()
}

func (s *pgServer) remove() { _ = os.RemoveAll(s.dir) }

// run runs one of the server programs, as the postgres user under root.
func (s *pgServer) run(ctx context.Context, prog string, args ...string) (string, error) {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if s.asPG {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = s.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}
