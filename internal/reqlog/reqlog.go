// Package reqlog carries a request id through the context and into every log line
// written while serving that request, and counts the request's database queries.
package reqlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"regexp"
	"sync/atomic"
	"time"
)

type ctxKey struct{}

// WithID returns ctx carrying the request id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// ID returns the request id in ctx, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// NewID returns an incoming id if it is safe to log and echo, or a fresh random one.
func NewID(incoming string) string {
	if safeID.MatchString(incoming) {
		return incoming
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Handler adds the request_id attribute to records logged with a request's context.
type Handler struct{ slog.Handler }

// NewHandler wraps h.
func NewHandler(h slog.Handler) *Handler { return &Handler{h} }

// Handle adds the request id, if any, and passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := ID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around derived handlers.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around derived handlers.
func (h *Handler) WithGroup(name string) slog.Handler { return &Handler{h.Handler.WithGroup(name)} }

type queriesKey struct{}

// Queries counts the database queries run for one request and the time they took.
type Queries struct {
	n      atomic.Int64
	micros atomic.Int64
}

// WithQueries returns ctx carrying a fresh query count, and the count.
func WithQueries(ctx context.Context) (context.Context, *Queries) {
	q := new(Queries)
	return context.WithValue(ctx, queriesKey{}, q), q
}

// CountQuery adds a query of duration d to the count in ctx, if any.
func CountQuery(ctx context.Context, d time.Duration) {
	if q, ok := ctx.Value(queriesKey{}).(*Queries); ok {
		q.n.Add(1)
		q.micros.Add(d.Microseconds())
	}
}

// Count returns the number of queries counted and their total time.
func (q *Queries) Count() (int64, time.Duration) {
	return q.n.Load(), time.Duration(q.micros.Load()) * time.Microsecond
}
