package api

import (
	"bytes"
	"io"
	"net/http"
)

// readBody reads the request body, up to the limit, before the action runs: an action that
// ignores its body (favourite, tag follow) refuses an oversized one like the others
// instead of acting on the request. A body over the limit is *http.MaxBytesError (413).
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if r.ContentLength > h.maxBody {
		return &http.MaxBytesError{Limit: h.maxBody}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		return bodyError(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}
