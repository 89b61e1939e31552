package social

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/internal/ratelimit"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Auth logs people in and out and resolves sessions.
type Auth struct {
	*core
	limits *loginLimits
	// dummyHash is compared against when the username is unknown, so a login takes the
	// same time whether or not the account exists.
	dummyHash string
}

func newAuth(c *core) *Auth {
	h, _ := argon2id.CreateHash("not a real password", c.PasswordParams)
	return &Auth{core: c, limits: newLoginLimits(), dummyHash: h}
}

// Login checks the credentials and opens a session; it returns the cookie secret.
// Failed attempts are limited per username and per client address. A successful login
// gives its attempt back, so many people behind one office address can log in.
func (a *Auth) Login(ctx context.Context, username, password, userAgent, ip string) (string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	// Checked before the limiter so oversized input costs no hashing and no bucket keyed
	// by an arbitrarily long string.
	if len(password) > maxPasswordLen || len(username) > 64 {
		return "", ErrInvalidLogin
	}
	now := a.Now()
	byUser, ok := a.limits.reserve("u:"+username, now)
	if !ok {
		a.Log.WarnContext(ctx, "login rate limited", "username", username, "ip", ip)
		return "", ErrRateLimited
	}
	byIP, ok := a.limits.reserve("ip:"+truncate(ip, 64), now)
	if !ok {
		byUser.Cancel()
		a.Log.WarnContext(ctx, "login rate limited", "username", username, "ip", ip)
		return "", ErrRateLimited
	}
	acct, err := a.Store.LocalAccountByUsername(ctx, username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	hash := a.dummyHash
	if acct != nil {
		hash = acct.PasswordHash
	}
	match, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil || !match || acct == nil || acct.PasswordHash == "" || (!acct.Active() && !guestEnded(acct)) {
		a.Log.InfoContext(ctx, "login failed", "username", username, "ip", ip)
		return "", ErrInvalidLogin
	}
	// An ended guest is told so, only after the password matched: it reveals nothing to
	// others. An admin's deactivation stays the plain refusal above.
	if !acct.ActiveAt(a.now()) {
		a.Log.InfoContext(ctx, "login refused: guest account expired", "username", username, "ip", ip)
		return "", ErrAccountExpired
	}
	secret := randomToken(32)
	t := a.now()
	sess := &model.Session{
		ID: hashSecret(secret), AccountID: acct.ID, CSRFToken: randomToken(32),
		CreatedAt: t, LastSeenAt: t, ExpiresAt: t.Add(a.SessionTTL),
		UserAgent: truncate(userAgent, 300), IP: truncate(ip, 64),
	}
	if err := a.Store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	byUser.Cancel()
	byIP.Cancel()
	a.Log.InfoContext(ctx, "login", "username", username)
	return secret, nil
}

// Session resolves a cookie secret to its session and account. Unknown or expired
// sessions and deactivated or expired accounts are ErrNotFound. Use slides the expiry forward.
func (a *Auth) Session(ctx context.Context, secret string) (*model.Session, *model.Account, error) {
	if secret == "" || len(secret) > 100 {
		return nil, nil, ErrNotFound
	}
	sess, err := a.Store.Session(ctx, hashSecret(secret))
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	if now.After(sess.ExpiresAt) {
		_ = a.Store.DeleteSession(ctx, sess.ID)
		return nil, nil, fmt.Errorf("session expired: %w", ErrNotFound)
	}
	acct, err := a.Store.Account(ctx, sess.AccountID)
	if err != nil {
		return nil, nil, err
	}
	if !acct.ActiveAt(now) {
		return nil, nil, fmt.Errorf("account deactivated or expired: %w", ErrNotFound)
	}
	// Writing on every request would serialize readers on SQLite; once a minute is enough.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt, sess.ExpiresAt = now, now.Add(a.SessionTTL)
		if err := a.Store.TouchSession(ctx, sess.ID, sess.LastSeenAt, sess.ExpiresAt); err != nil {
			return nil, nil, err
		}
	}
	return sess, acct, nil
}

// Logout ends the session of the given cookie secret.
func (a *Auth) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return a.Store.DeleteSession(ctx, hashSecret(secret))
}

// ChangePassword replaces the password after checking the old one and ends the account's
// other sessions (keepSessionID names the one the change was made from), so whoever knew
// the old password is logged out everywhere.
func (a *Auth) ChangePassword(ctx context.Context, acct *model.Account, keepSessionID, oldPassword, newPassword string) error {
	p := problems{}
	if match, err := argon2id.ComparePasswordAndHash(oldPassword, acct.PasswordHash); err != nil || !match {
		p.add("old_password", "error.password.wrong")
	}
	checkPassword(p, "new_password", newPassword)
	if err := p.err(); err != nil {
		return err
	}
	hash, err := argon2id.CreateHash(newPassword, a.PasswordParams)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return a.Store.InTx(ctx, func(tx *storage.Store) error {
		acct.PasswordHash, acct.UpdatedAt = hash, a.now()
		if err := tx.UpdateAccount(ctx, acct, "password_hash", "updated_at"); err != nil {
			return err
		}
		return tx.DeleteOtherSessions(ctx, acct.ID, keepSessionID)
	})
}

// SetPassword sets a password without the old one (admin command line).
func (a *Auth) SetPassword(ctx context.Context, acct *model.Account, password string) error {
	p := problems{}
	checkPassword(p, "password", password)
	if err := p.err(); err != nil {
		return err
	}
	hash, err := argon2id.CreateHash(password, a.PasswordParams)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	acct.PasswordHash, acct.UpdatedAt = hash, a.now()
	return a.Store.UpdateAccount(ctx, acct, "password_hash", "updated_at")
}

// loginLimits keeps one token bucket per username and per client address: 10 attempts at
// once, then one every 6 seconds.
type loginLimits struct{ *ratelimit.Keyed }

func newLoginLimits() *loginLimits { return &loginLimits{ratelimit.New(1.0/6, 10, 100_000)} }

// reserve takes one attempt from key's bucket at now; false when it is empty. The caller
// cancels the reservation to give the attempt back.
func (l *loginLimits) reserve(key string, now time.Time) (*ratelimit.Reservation, bool) {
	r, ok, _ := l.Reserve(key, now)
	return r, ok
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
