package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
)

// SetupLink is the one-time secret that lets the first admin register in the browser.
// It lives only in memory: a restart without an admin prints a new one.
type SetupLink struct {
	mu    sync.Mutex
	token string
	used  bool
}

// NewSetupLink makes a fresh link with a random token.
func NewSetupLink() (*SetupLink, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("setup token: %w", err)
	}
	return &SetupLink{token: base64.RawURLEncoding.EncodeToString(b)}, nil
}

// Path is the link's path and query, to append to the node's base URL.
func (s *SetupLink) Path() string { return "/setup?token=" + s.token }

// valid reports whether token opens the setup page.
func (s *SetupLink) valid(token string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.used && subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

// claim consumes the link, reporting false if it was already used or token is wrong; the
// caller releases it again with release if creating the admin fails.
func (s *SetupLink) claim(token string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used || subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) != 1 {
		return false
	}
	s.used = true
	return true
}

// release makes a claimed link usable again.
func (s *SetupLink) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used = false
}
