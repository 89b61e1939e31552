package storage

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"
)

// Unavailable reports whether err says the database could not be reached or is going
// down or coming up, an outage to wait out rather than a fault of the request: the
// server refused or dropped the connection, or PostgreSQL answered with a connection
// exception (class 08) or an operator intervention such as a shutdown or "the database
// system is starting up" (57P01–57P04). Handlers answer it with 503 and Retry-After.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if code := pgCode(err); code != "" {
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	}
	// io.EOF is left out although a dropped connection may end in it: a request body cut
	// short ends in it too, and that is the client's fault (4xx).
	var opErr *net.OpError
	return errors.As(err, &opErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
