// Package api is the bearer-token JSON client API. It speaks Mastodon's shapes where
// Mastodon has one, so existing clients and scripts work against Atrium.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/social"
)

// defaultMaxBody caps request bodies when the configuration sets no limit.
const defaultMaxBody = 64 << 10

// Options are the API's dependencies.
type Options struct {
	// Config gives the base URL for absolute links and the request body limit.
	Config config.Config
	// Social is the rules layer every action goes through.
	Social *social.Service
	// Log receives refused and failed requests; nil discards them.
	Log *slog.Logger
}

// handler holds what every API action needs; it is built once and never changes.
type handler struct {
	social  *social.Service
	log     *slog.Logger
	baseURL string
	maxBody int64
	counts  *countsCache // counts of accounts embedded in statuses
}

// New returns the API handler, to be mounted at "/api/" (it routes on full paths).
func New(o Options) http.Handler {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxBody := o.Config.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = defaultMaxBody
	}
	h := &handler{social: o.Social, log: log, baseURL: strings.TrimRight(o.Config.BaseURL, "/"), maxBody: maxBody,
		counts: newCountsCache()}
	return h.routes()
}
