// Package ui is the node's server-rendered web interface: handlers, embedded templates and
// static assets, login sessions and CSRF protection. Rules live in package social.
package ui

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/social"
)

// Options are the web UI's dependencies.
type Options struct {
	Config config.Config
	Social *social.Service
	Log    *slog.Logger
	// Setup is the one-time first-admin link; nil when an admin exists.
	Setup *SetupLink
}

// handler holds what every page handler needs.
type handler struct {
	cfg    config.Config
	social *social.Service
	log    *slog.Logger
	setup  *SetupLink
	views  *views
	assets *assets
}

// New builds the web UI. Templates and assets are parsed and hashed once, here, so a
// broken template stops start-up instead of a page.
func New(o Options) (http.Handler, error) {
	if o.Social == nil || o.Log == nil {
		return nil, fmt.Errorf("ui: Social and Log are required")
	}
	a, err := newAssets()
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	v, err := newViews(cat, a)
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: o.Config, social: o.Social, log: o.Log, setup: o.Setup, views: v, assets: a}
	return h.routes(), nil
}
