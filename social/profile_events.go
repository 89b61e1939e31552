package social

import (
	"context"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// profileChanged hands the Update of acct's profile to the outbox, inside the transaction
// tx that saved it, so the change and its deliveries commit together. Only local accounts
// publish their profiles; the outbox picks the receiving nodes.
func (ps *Profiles) profileChanged(ctx context.Context, tx *storage.Store, acct *model.Account) error {
	if !acct.Local() {
		return nil
	}
	return ps.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityUpdateProfile, Actor: acct})
}
