// Package server assembles a node's HTTP surface: health checks, the JSON API, the web
// UI, and the middleware every request passes (request id, access log, panic recovery).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/internal/reqlog"
)

// Pinger is the database check behind /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server routes requests to the node's surfaces.
type Server struct {
	DB  Pinger
	Log *slog.Logger
	// UI serves everything not claimed by another surface.
	UI http.Handler
	// API serves /api/.
	API http.Handler
	// Federation serves ActivityPub: inboxes, the node actor, discovery documents, and
	// the ActivityPub form of pages the UI also serves (chosen by the Accept header).
	// Nil means a node without federation.
	Federation http.Handler
}

// Handler returns the node's root handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("/api/", s.API)
	if s.Federation != nil {
		for _, p := range []string{"/.well-known/", "/nodeinfo/", "POST /inbox", "POST /users/{username}/inbox",
			"/actor", "/ns", "/company"} {
			mux.Handle(p, s.Federation)
		}
		mux.Handle("/", negotiate(s.Federation, s.UI))
	} else {
		mux.Handle("/", s.UI)
	}
	return s.middleware(mux)
}

// negotiate sends requests that ask for ActivityPub JSON to ap and the rest to html: an
// actor's or a post's URI is both its ActivityPub id and its web page. A request with an
// HTTP signature comes from another node, never from a browser, and goes to ap too: a
// peer's signed fetch of a picture asks for an image, not for JSON, and the picture
// pages of the UI want a session that a node never has.
func negotiate(ap, html http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		if wantsActivityPub(r) || r.Header.Get("Signature") != "" {
			ap.ServeHTTP(w, r)
			return
		}
		html.ServeHTTP(w, r)
	})
}

// wantsActivityPub reports whether the request accepts ActivityStreams JSON.
func wantsActivityPub(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if mt == "application/activity+json" || mt == "application/ld+json" {
			return true
		}
	}
	if ct := strings.ToLower(r.Header.Get("Content-Type")); r.Method == http.MethodPost &&
		(strings.HasPrefix(ct, "application/activity+json") || strings.HasPrefix(ct, "application/ld+json")) {
		return true
	}
	return false
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.ErrorContext(r.Context(), "readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// middleware tags the request with an id, logs it when done and turns panics into 500s.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := reqlog.NewID(r.Header.Get("X-Request-Id"))
		ctx, queries := reqlog.WithQueries(reqlog.WithID(r.Context(), id))
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.ErrorContext(ctx, "panic serving request", "panic", p)
				if !rec.wrote {
					http.Error(rec, "internal server error", http.StatusInternalServerError)
				}
			}
			level := slog.LevelInfo
			if strings.HasPrefix(r.URL.Path, "/healthz") || strings.HasPrefix(r.URL.Path, "/static/") {
				level = slog.LevelDebug
			}
			n, inDB := queries.Count()
			s.Log.Log(ctx, level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "duration_ms", millis(time.Since(start)), "queries", n, "db_ms", millis(inDB))
		}()
		next.ServeHTTP(rec, r)
	})
}

// millis is d in milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
