package api

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/atrium-intranet/atrium/internal/ratelimit"
	"github.com/atrium-intranet/atrium/social"
)

// apiError is an error the client may see: an HTTP status and a safe, readable message,
// with per-field message keys for validation failures.
type apiError struct {
	status  int
	msg     string
	details map[string]string
}

func (e *apiError) Error() string { return e.msg }

// newError returns an error answered with status and msg.
func newError(status int, msg string) *apiError { return &apiError{status: status, msg: msg} }

// invalid is a validation failure found by the API itself (before social is asked).
func invalid(field, key string) error {
	return &social.ValidationError{Fields: map[string]string{field: key}}
}

// errorBody is the JSON of every error response; Error stays a readable string so clients
// that only print it still say something useful.
type errorBody struct {
	Error   string            `json:"error"`
	Details map[string]string `json:"details,omitempty"`
}

// classify turns any error from parsing or from social into what the client is told.
// Anything it does not recognise is an internal error whose text is never sent.
func classify(err error) *apiError {
	var ae *apiError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &tooBig):
		return newError(http.StatusRequestEntityTooLarge, "Request body too large")
	case errors.Is(err, social.ErrNotFound):
		return newError(http.StatusNotFound, "Record not found")
	case errors.Is(err, social.ErrForbidden):
		return newError(http.StatusForbidden, "This action is not allowed")
	case errors.Is(err, social.ErrRateLimited):
		return newError(http.StatusTooManyRequests, "Too many requests")
	}
	if ve, ok := social.AsValidation(err); ok {
		return validationError(ve)
	}
	if social.Unavailable(err) {
		return newError(http.StatusServiceUnavailable, "The service is briefly unavailable; try again shortly")
	}
	return newError(http.StatusInternalServerError, "Internal server error")
}

// validationError renames social's field names to the API's parameter names and lists
// them, sorted, in the message.
func validationError(ve *social.ValidationError) *apiError {
	details := make(map[string]string, len(ve.Fields))
	for field, key := range ve.Fields {
		details[paramName(field)] = key
	}
	names := make([]string, 0, len(details))
	for name := range details {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + ": " + details[name]
	}
	return &apiError{status: http.StatusUnprocessableEntity,
		msg: "Validation failed: " + strings.Join(parts, ", "), details: details}
}

// paramName maps a field name used by social to the request parameter a client sent.
func paramName(field string) string {
	switch field {
	case "source":
		return "status"
	case "audience":
		return "visibility"
	case "cursor":
		return "max_id"
	}
	return field
}

// fail writes err as a JSON error response and logs it: client errors at Info or Warn,
// server errors at Error with the real cause, which the client never sees.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae := classify(err)
	ctx := r.Context()
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", ae.status}
	switch {
	case ae.status >= 500 && ctx.Err() != nil && errors.Is(err, context.Canceled):
		h.log.InfoContext(ctx, "api request cancelled by client", append(attrs, "err", err)...)
	case ae.status >= 500:
		h.log.ErrorContext(ctx, "api request failed", append(attrs, "err", err)...)
	case ae.status == http.StatusForbidden || ae.status == http.StatusTooManyRequests ||
		ae.status == http.StatusRequestEntityTooLarge:
		h.log.WarnContext(ctx, "api request refused", append(attrs, "error", ae.msg)...)
	default:
		h.log.InfoContext(ctx, "api request rejected", append(attrs, "error", ae.msg)...)
	}
	if ae.status == http.StatusTooManyRequests || ae.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(social.RetryAfter(err))))
	}
	writeJSON(w, ae.status, errorBody{Error: ae.msg, Details: ae.details})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return newError(http.StatusNotFound, "Record not found")
}

func (h *handler) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	return newError(http.StatusMethodNotAllowed, "Method not allowed")
}
