package benchdata

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

// tokenName marks the tokens InsertTokens makes.
const tokenName = "atrium-bench"

// InsertTokens creates a personal access token for each account id and returns their
// plaintexts in the same order, for load programs that call the JSON API
// ("Authorization: Bearer <token>"). The tokens are stored as the node stores its own
// (prefix atr_, SHA-256 hash), so a node serving the set accepts them; each call adds
// new ones.
func InsertTokens(ctx context.Context, store *storage.Store, accountIDs []string) ([]string, error) {
	plain := make([]string, len(accountIDs))
	now := time.Now().UTC()
	err := store.InTx(ctx, func(tx *storage.Store) error {
		for i, id := range accountIDs {
			secret := make([]byte, 32)
			if _, err := rand.Read(secret); err != nil {
				return err
			}
			plain[i] = "atr_" + hex.EncodeToString(secret)
			sum := sha256.Sum256([]byte(plain[i]))
			tok := &model.Token{ID: ulid.Make().String(), AccountID: id, Name: tokenName,
				Hash: hex.EncodeToString(sum[:]), CreatedAt: now}
			if err := tx.CreateToken(ctx, tok); err != nil {
				return fmt.Errorf("benchdata: token for %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plain, nil
}
