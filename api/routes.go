package api

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes lists every endpoint with its access wrapper: reading it tells who may call what.
// All endpoints need a live personal access token (h.authed).
func (h *handler) routes() http.Handler {
	r := mux.NewRouter()
	r.NotFoundHandler = h.plain(h.notFound)
	r.MethodNotAllowedHandler = h.plain(h.methodNotAllowed)

	r.Handle("/api/v1/accounts/verify_credentials", h.authed(h.accountVerify)).Methods(http.MethodGet)
	r.Handle("/api/v1/statuses", h.authed(h.statusCreate)).Methods(http.MethodPost)
	r.Handle("/api/v1/statuses/{id}", h.authed(h.statusGet)).Methods(http.MethodGet)
	r.Handle("/api/v1/statuses/{id}", h.authed(h.statusDelete)).Methods(http.MethodDelete)
	r.Handle("/api/v1/statuses/{id}/favourite", h.authed(h.statusFavourite)).Methods(http.MethodPost)
	r.Handle("/api/v1/statuses/{id}/unfavourite", h.authed(h.statusUnfavourite)).Methods(http.MethodPost)
	r.Handle("/api/v1/timelines/home", h.authed(h.timelineHome)).Methods(http.MethodGet)
	r.Handle("/api/v1/timelines/tag/{hashtag}", h.authed(h.timelineTag)).Methods(http.MethodGet)
	r.Handle("/api/v1/tags/{name}", h.authed(h.tagGet)).Methods(http.MethodGet)
	r.Handle("/api/v1/tags/{name}/follow", h.authed(h.tagFollow)).Methods(http.MethodPost)
	r.Handle("/api/v1/tags/{name}/unfollow", h.authed(h.tagUnfollow)).Methods(http.MethodPost)
	r.Handle("/api/v1/followed_tags", h.authed(h.followedTags)).Methods(http.MethodGet)
	r.Handle("/api/v2/search", h.authed(h.search)).Methods(http.MethodGet)
	return r
}
