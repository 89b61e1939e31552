package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Guests: invitations by email into groups, and an expiry on guest accounts (local ones
// from the invitation, remote ones from atrium:guestExpires).
func init() {
	registry.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`ALTER TABLE accounts ADD COLUMN expires_at TIMESTAMP_TZ`,
			`CREATE INDEX accounts_guest_expiry ON accounts (expires_at) WHERE expires_at IS NOT NULL AND deactivated_at IS NULL`,
			`CREATE TABLE guest_invitations (
				id TEXT PRIMARY KEY,
				token TEXT NOT NULL UNIQUE,
				email TEXT NOT NULL,
				invited_by_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				guest_days INTEGER NOT NULL,
				expires_at TIMESTAMP_TZ NOT NULL,
				accepted_at TIMESTAMP_TZ,
				account_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
				revoked_at TIMESTAMP_TZ,
				mailed_at TIMESTAMP_TZ,
				mail_error TEXT NOT NULL DEFAULT '',
				created_at TIMESTAMP_TZ NOT NULL
			)`,
			`CREATE INDEX guest_invitations_inviter ON guest_invitations (invited_by_id, created_at)`,
			`CREATE INDEX guest_invitations_created ON guest_invitations (created_at)`,
			`CREATE TABLE guest_invitation_groups (
				invitation_id TEXT NOT NULL REFERENCES guest_invitations(id) ON DELETE CASCADE,
				group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
				PRIMARY KEY (invitation_id, group_id)
			)`,
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return execSQL(ctx, db, []string{
			`DROP TABLE guest_invitation_groups`,
			`DROP TABLE guest_invitations`,
			`DROP INDEX accounts_guest_expiry`,
			`ALTER TABLE accounts DROP COLUMN expires_at`,
		})
	})
}
