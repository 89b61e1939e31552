package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
)

// preSessionCookie carries the double-submit CSRF token of the forms shown before login
// (login and setup), where there is no session to hold a synchronizer token.
const preSessionCookie = "atrium_csrf"

// preSessionToken returns the visitor's pre-session token, setting the cookie if needed.
func (h *handler) preSessionToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(preSessionCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: preSessionCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: h.cfg.Secure(), SameSite: http.SameSiteStrictMode,
	})
	return tok
}

// parseForm reads the request's form, multipart included, within the body limit.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case err != nil:
		return errBadRequest
	}
	return nil
}

// checkCSRF compares the form's csrf field with want in constant time.
func checkCSRF(r *http.Request, want string) error {
	if err := parseForm(r); err != nil {
		return err
	}
	got := r.PostFormValue("csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// checkPreSessionCSRF checks a login or setup form against its double-submit cookie.
func checkPreSessionCSRF(r *http.Request) error {
	ck, err := r.Cookie(preSessionCookie)
	if err != nil {
		return errCSRF
	}
	return checkCSRF(r, ck.Value)
}
