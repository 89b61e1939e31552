package social

import (
	"context"
	"errors"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// ErrAccountExpired is the login answer for a guest whose account has ended, given only
// to someone who knows its password.
var ErrAccountExpired = errors.New("account expired")

// maxGuestExtension bounds how far ahead an admin may move a guest's end.
const maxGuestExtension = 2 * 366 * 24 * time.Hour

// Guests administers guest accounts: when they end.
type Guests struct{ *core }

// Now is the rules' clock, for pages that tell expired guests apart.
func (g *Guests) Now() time.Time { return g.now() }

// localGuest loads a local guest account for an admin's change.
func localGuest(ctx context.Context, tx *storage.Store, admin *model.Account, id string) (*model.Account, error) {
	if !admin.IsAdmin() || !admin.Local() {
		return nil, ErrForbidden
	}
	acct, err := tx.Account(ctx, id)
	if err != nil {
		return nil, err
	}
	if !acct.Local() || !acct.IsGuest() {
		return nil, ErrForbidden
	}
	return acct, nil
}

// Extend sets when a guest account ends to until, which must lie in the future and at
// most two years ahead; an ended guest gets access again. Admins only. Other nodes learn
// the new end from the actor's Update.
func (g *Guests) Extend(ctx context.Context, admin *model.Account, accountID string, until time.Time) error {
	if !admin.IsAdmin() || !admin.Local() {
		return ErrForbidden
	}
	now := g.now()
	until = until.UTC().Truncate(time.Microsecond)
	if !until.After(now) || until.After(now.Add(maxGuestExtension)) {
		return &ValidationError{Fields: map[string]string{"until": "error.guest.until"}}
	}
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		acct, err := localGuest(ctx, tx, admin, accountID)
		if err != nil {
			return err
		}
		ended := guestEnded(acct)
		if err := tx.SetAccountExpiry(ctx, acct.ID, &until, now); err != nil {
			return err
		}
		acct.ExpiresAt, acct.UpdatedAt = &until, now
		if ended {
			// The guest's access had ended (not an admin's deactivation): it comes back.
			// The groups it left stay left; they invite it again.
			if err := tx.SetDeactivated(ctx, acct.ID, nil, now); err != nil {
				return err
			}
			acct.DeactivatedAt = nil
		}
		g.Log.InfoContext(ctx, "guest extended", "by", admin.Username, "account", acct.Username, "until", until)
		return g.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdateProfile, Actor: acct})
	})
}

// Revoke ends a guest account now: endGuestAccess moves its end to now (an earlier end
// stays), takes its access away and tells other nodes. Revoking an ended guest changes
// nothing. Admins only.
func (g *Guests) Revoke(ctx context.Context, admin *model.Account, accountID string) error {
	return g.Store.InTx(ctx, func(tx *storage.Store) error {
		acct, err := localGuest(ctx, tx, admin, accountID)
		if err != nil {
			return err
		}
		if guestEnded(acct) {
			return nil
		}
		g.Log.InfoContext(ctx, "guest revoked", "by", admin.Username, "account", acct.Username)
		return g.endGuestAccess(ctx, tx, acct)
	})
}
