package storage_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/atrium-intranet/atrium/storage"
)

func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"dial refused", fmt.Errorf("feed: %w", refused), true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"end of a body", fmt.Errorf("read body: %w", io.EOF), false},
		{"body cut short", io.ErrUnexpectedEOF, false},
		{"bad connection", driver.ErrBadConn, true},
		{"not found", storage.ErrNotFound, false},
		{"conflict", fmt.Errorf("create: %w", storage.ErrConflict), false},
		{"cancelled", context.Canceled, false},
		{"other", errors.New("syntax error at or near"), false},
	}
	for _, c := range cases {
		if got := storage.Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// A server that is not there is an outage, whatever the driver wraps it in.
func TestUnavailableFromTheDriver(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	db, err := storage.Open("postgres://postgres@"+addr+"/test?sslmode=disable", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = storage.New(db).Account(context.Background(), "x")
	if err == nil || !storage.Unavailable(err) {
		t.Fatalf("query without a server: %v, Unavailable %v", err, storage.Unavailable(err))
	}
}
