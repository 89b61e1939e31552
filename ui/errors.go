package ui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/atrium-intranet/atrium/internal/ratelimit"
	"github.com/atrium-intranet/atrium/social"
)

// action is a page handler; it returns an error for the adapter to show.
type action func(w http.ResponseWriter, r *http.Request) error

// httpError is an error with the status and safe message key to show.
type httpError struct {
	status int
	key    string
}

func (e *httpError) Error() string { return http.StatusText(e.status) + ": " + e.key }

// Errors handlers return for the common cases.
var (
	errNotFound   = &httpError{http.StatusNotFound, "error.page.not_found"}
	errForbidden  = &httpError{http.StatusForbidden, "error.page.forbidden"}
	errBadRequest = &httpError{http.StatusBadRequest, "error.page.bad_request"}
	errCSRF       = &httpError{http.StatusForbidden, "error.page.csrf"}
)

// errorPage is the data of the error template.
type errorPage struct {
	Page
	Status  int
	Message string
}

// status maps an error to what the user sees: typed errors keep their status, everything
// unexpected is a 500 whose details stay in the log.
func status(err error) (int, string) {
	var he *httpError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he.status, he.key
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "error.page.too_large"
	case errors.Is(err, social.ErrNotFound):
		return http.StatusNotFound, "error.page.not_found"
	case errors.Is(err, social.ErrForbidden):
		return http.StatusForbidden, "error.page.forbidden"
	case errors.Is(err, social.ErrRateLimited):
		return http.StatusTooManyRequests, "error.page.rate_limited"
	case errors.Is(err, social.ErrRemoteUnavailable):
		return http.StatusBadGateway, "error.remote.unavailable"
	}
	if _, ok := social.AsValidation(err); ok {
		return http.StatusUnprocessableEntity, "error.page.invalid"
	}
	if social.Unavailable(err) {
		return http.StatusServiceUnavailable, "error.page.unavailable"
	}
	return http.StatusInternalServerError, "error.page.internal"
}

// fail shows err as an error page and logs it.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, key := status(err)
	if code >= 500 {
		h.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	} else {
		h.log.InfoContext(r.Context(), "request refused", "path", r.URL.Path, "status", code, "err", err)
	}
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(social.RetryAfter(err))))
	}
	h.render(w, r, code, "error", &errorPage{Page: Page{Title: "title.error"}, Status: code, Message: key})
}
