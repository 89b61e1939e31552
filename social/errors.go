// Package social holds the node's rules: who may see and do what. Handlers parse and
// render; social decides and writes. It never speaks HTTP.
package social

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/storage"
)

// ErrNotFound means the thing does not exist or the viewer may not know it exists.
var ErrNotFound = storage.ErrNotFound

// ErrForbidden means the viewer knows the thing but may not do this to it.
var ErrForbidden = errors.New("forbidden")

// ErrInvalidLogin is the one answer for a wrong username, wrong password or deactivated
// account, so the login form does not reveal which accounts exist.
var ErrInvalidLogin = errors.New("invalid username or password")

// ErrRateLimited means too many attempts; the caller should wait.
var ErrRateLimited = errors.New("too many attempts")

// Unavailable reports whether err comes from a database outage (unreachable, shutting
// down, starting up) rather than from the request: the caller should try again shortly.
func Unavailable(err error) bool { return storage.Unavailable(err) }

// unavailableRetryAfter is the pause suggested to callers during an outage (RetryAfter).
const unavailableRetryAfter = 5 * time.Second

// ValidationError lists problems with input, per field, as message keys for the UI's
// translations (e.g. "error.username.taken").
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// problems collects field errors while validating.
type problems map[string]string

func (p problems) add(field, key string) {
	if _, seen := p[field]; !seen {
		p[field] = key
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: p}
}
