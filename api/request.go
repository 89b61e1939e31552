package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/atrium-intranet/atrium/internal/jsonlimit"
)

// maxFormMemory is how much of a multipart body is kept in memory; the body as a whole is
// already capped by authed.
const maxFormMemory = 1 << 20

// malformed answers bodies that cannot be parsed.
func malformed() error { return newError(http.StatusBadRequest, "Malformed request body") }

// bodyKind tells how a request body is encoded.
type bodyKind int

const (
	bodyForm bodyKind = iota
	bodyJSON
)

// kindOf reads the Content-Type. No Content-Type means a form (or parameters in the
// query string only), as Mastodon accepts.
func kindOf(r *http.Request) (bodyKind, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return bodyForm, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return 0, newError(http.StatusUnsupportedMediaType, "Unsupported Content-Type")
	}
	switch mt {
	case "application/json":
		return bodyJSON, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		return bodyForm, nil
	}
	return 0, newError(http.StatusUnsupportedMediaType, "Unsupported Content-Type")
}

// decodeJSON reads exactly one JSON value from the body into v. A body over the limit
// surfaces as *http.MaxBytesError (413); anything else unreadable is malformed (400).
func decodeJSON(r *http.Request, v any) error {
	// Read first (within the body limit) so a deeply nested document is refused before
	// it is decoded.
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	if err := jsonlimit.CheckDepth(b, jsonlimit.MaxDepth); err != nil {
		return malformed()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyError(err)
	}
	return nil
}

// parseForm parses a urlencoded or multipart body (and the query string).
func parseForm(r *http.Request) error {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return bodyError(err)
	}
	return nil
}

// bodyError keeps a too-large error as it is and turns any other read error into 400.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return malformed()
}

// limitParam reads the limit query parameter: def when absent, at most max.
func limitParam(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalid("limit", "error.limit.invalid")
	}
	return min(n, max), nil
}
