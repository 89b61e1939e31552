package storage

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/atrium-intranet/atrium/model"
)

// caches are the Store's short-lived read caches, shared with its transactions.
type caches struct {
	peers *ttlCache[model.Peer]
	// remote holds remote accounts by actor id.
	remote *ttlCache[model.Account]
	// accounts counts committed changes to accounts (see AccountsVersion).
	accounts atomic.Uint64
}

func newCaches() *caches {
	return &caches{peers: newTTLCache[model.Peer](), remote: newTTLCache[model.Account]()}
}

// CachedRemoteAccount is AccountByURI for remote accounts through a cache of CacheTTL:
// signature checks read the signer's account, with its key, on every request. A local
// account is ErrNotFound. Inside a transaction it reads the database. Every change to
// an account through this Store clears the cache once committed.
func (s *Store) CachedRemoteAccount(ctx context.Context, uri string) (*model.Account, error) {
	read := func() (*model.Account, error) {
		a, err := s.AccountByURI(ctx, uri)
		if err != nil {
			return nil, err
		}
		if a.Local() {
			return nil, fmt.Errorf("remote account %s: %w", uri, ErrNotFound)
		}
		return a, nil
	}
	if s.caches == nil || s.afterCommit != nil {
		return read()
	}
	return s.caches.remote.lookup(uri, read)
}

// invalidateAccounts clears the account cache once the current transaction commits.
func (s *Store) invalidateAccounts() {
	if s.caches != nil {
		c := s.caches
		s.AfterCommit(func() {
			c.remote.invalidate()
			c.accounts.Add(1)
		})
	}
}

// AccountsVersion changes whenever a change to accounts made through this Store commits,
// so that what is derived from all accounts (the org chart) can be kept until then.
// Changes made by another process (the CLI) do not change it.
func (s *Store) AccountsVersion() uint64 {
	if s.caches == nil {
		return 0
	}
	return s.caches.accounts.Load()
}
