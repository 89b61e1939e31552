package ui

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"

	"github.com/atrium-intranet/atrium/social"
)

func TestStatusOfErrors(t *testing.T) {
	cases := []struct {
		err  error
		code int
		key  string
	}{
		{social.ErrNotFound, http.StatusNotFound, "error.page.not_found"},
		{fmt.Errorf("x: %w", social.ErrForbidden), http.StatusForbidden, "error.page.forbidden"},
		{errCSRF, http.StatusForbidden, "error.page.csrf"},
		{fmt.Errorf("feed: %w", syscall.ECONNRESET), http.StatusServiceUnavailable, "error.page.unavailable"},
		{errors.New("boom"), http.StatusInternalServerError, "error.page.internal"},
	}
	for _, c := range cases {
		if code, key := status(c.err); code != c.code || key != c.key {
			t.Errorf("status(%v) = %d %s, want %d %s", c.err, code, key, c.code, c.key)
		}
	}
}
