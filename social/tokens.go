package social

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
)

// Tokens manages personal access tokens for the JSON API.
type Tokens struct{ *core }

// tokenPrefix makes leaked tokens recognisable to secret scanners.
const tokenPrefix = "atr_"

// Create makes a token and returns its plaintext, which is shown once and never stored.
func (t *Tokens) Create(ctx context.Context, accountID, name string) (string, *model.Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", nil, &ValidationError{Fields: map[string]string{"name": "error.token.name"}}
	}
	plain := tokenPrefix + randomToken(32)
	tok := &model.Token{ID: t.newID(), AccountID: accountID, Name: name, Hash: hashSecret(plain), CreatedAt: t.now()}
	if err := t.Store.CreateToken(ctx, tok); err != nil {
		return "", nil, err
	}
	t.Log.InfoContext(ctx, "token created", "account", accountID, "token", tok.ID)
	return plain, tok, nil
}

// Authenticate returns the active (and, for guests, unexpired) account owning a live token.
func (t *Tokens) Authenticate(ctx context.Context, plain string) (*model.Account, error) {
	if !strings.HasPrefix(plain, tokenPrefix) || len(plain) > 100 {
		return nil, ErrNotFound
	}
	tok, err := t.Store.TokenByHash(ctx, hashSecret(plain))
	if err != nil {
		return nil, err
	}
	acct := tok.Account
	now := t.now()
	if !acct.ActiveAt(now) {
		return nil, ErrNotFound
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		if err := t.Store.MarkTokenUsed(ctx, tok.ID, now); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

// List returns an account's tokens, newest first.
func (t *Tokens) List(ctx context.Context, accountID string) ([]*model.Token, error) {
	return t.Store.TokensOf(ctx, accountID)
}

// Revoke revokes one of the account's own tokens.
func (t *Tokens) Revoke(ctx context.Context, accountID, tokenID string) error {
	if err := t.Store.RevokeToken(ctx, accountID, tokenID, t.now()); err != nil {
		return err
	}
	t.Log.InfoContext(ctx, "token revoked", "account", accountID, "token", tokenID)
	return nil
}
