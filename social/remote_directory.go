package social

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// The other side of the directory: what a sibling's directory lists is stored through
// the same upsert as any fetched actor (sanitized, roles capped), and people it no longer
// lists are taken out of this node's directory without being deleted.

// ManagerLink is a person's atrium:manager as a directory stated it.
type ManagerLink struct {
	// AccountURI is the person's actor id; ManagerURI their manager's, "" for none.
	AccountURI, ManagerURI string
}

// StoreDirectoryPage stores the people one page of the sibling domain's directory lists,
// in one transaction, and marks them seen at seenAt. A person whose cached profile is
// the same is only marked, so reading an unchanged directory writes little. People of
// another domain are skipped. Managers are left to ResolveManagers, which runs once
// every page of every node is in: a manager may be listed later, or by another node.
func (r *Remote) StoreDirectoryPage(ctx context.Context, domain string, trust model.Trust, people []ActorInput, seenAt time.Time) (StoredPage, error) {
	out := StoredPage{Accounts: make([]*model.Account, len(people))}
	if trust != model.TrustSibling {
		return out, fmt.Errorf("directory of %s (%s): %w", domain, trust, ErrForbidden)
	}
	if domain == "" || r.isOwnHost(domain) {
		return out, fmt.Errorf("directory of %q: not another node: %w", domain, ErrForbidden)
	}
	var valid []int
	uris := make([]string, 0, len(people))
	for i, in := range people {
		if in.Account.Domain != domain || in.Account.URI == "" || in.Account.Username == "" {
			r.Log.WarnContext(ctx, "directory entry of another node skipped", "domain", domain, "uri", in.Account.URI)
			continue
		}
		valid = append(valid, i)
		uris = append(uris, in.Account.URI)
	}
	err := r.Store.InTx(ctx, func(tx *storage.Store) error {
		cached, err := tx.AccountsByURIs(ctx, uris)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(cached))
		for _, a := range cached {
			ids = append(ids, a.ID)
		}
		skills, err := tx.SkillsOf(ctx, ids)
		if err != nil {
			return err
		}
		seen := make([]string, 0, len(valid))
		for _, i := range valid {
			in := people[i]
			old := cached[in.Account.URI]
			// A profile Update or fetch that came in after this read began is newer than
			// the page: keep it.
			if old != nil && !old.Local() && (old.FetchedAt != nil && old.FetchedAt.After(seenAt) ||
				r.sameProfile(old, skills[old.ID], in, trust)) {
				seen = append(seen, old.ID)
				out.Accounts[i] = old
				continue
			}
			a, err := r.upsertActor(ctx, tx, in, trust)
			if err != nil {
				// One person this node cannot store (say an actor id that is a local
				// account's) must not keep the node's other people out.
				r.Log.WarnContext(ctx, "directory entry refused", "domain", domain, "uri", in.Account.URI, "err", err)
				continue
			}
			seen = append(seen, a.ID)
			out.Accounts[i] = a
			out.Stored++
		}
		return tx.MarkDirectorySeen(ctx, seen, seenAt)
	})
	if err != nil {
		return StoredPage{Accounts: make([]*model.Account, len(people))}, err
	}
	return out, nil
}

// StoredPage is what StoreDirectoryPage did with a page.
type StoredPage struct {
	// Stored counts the people written; the others were as cached.
	Stored int
	// Accounts are the cached accounts of the page's people, in its order; nil for an
	// entry that was skipped or refused.
	Accounts []*model.Account
}

// sameProfile reports whether storing in would leave the cached account old as it is,
// manager aside.
func (r *Remote) sameProfile(old *model.Account, oldSkills []string, in ActorInput, trust model.Trust) bool {
	a := in.Account
	role := model.RoleMember
	if a.Role == model.RoleGuest || trust != model.TrustSibling {
		role = model.RoleGuest
	}
	if old.Username != a.Username || old.Domain != a.Domain || old.InboxURI != a.InboxURI ||
		old.SharedInboxURI != a.SharedInboxURI || old.FollowersURI != a.FollowersURI || old.Role != role ||
		old.DisplayName != a.DisplayName || old.JobTitle != a.JobTitle || old.Department != a.Department ||
		old.Site != a.Site || old.PublicKeyPEM != a.PublicKeyPEM {
		return false
	}
	if in.Skills != nil {
		want, have := remoteSkills(in.Skills), slices.Clone(oldSkills)
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(want, have) {
			return false
		}
	}
	return old.AboutHTML == r.md.policy.Sanitize(in.SummaryHTML)
}

// ResolveManagers points each listed person at the manager their directory names, once
// every directory has been read: a manager may be anywhere, this node included. A
// manager this node does not know leaves the person without one. It returns how many
// people changed.
func (r *Remote) ResolveManagers(ctx context.Context, links []ManagerLink) (int, error) {
	changed := 0
	const chunk = 500
	for start := 0; start < len(links); start += chunk {
		part := links[start:min(start+chunk, len(links))]
		uris := make([]string, 0, 2*len(part))
		for _, l := range part {
			uris = append(uris, l.AccountURI)
			if l.ManagerURI != "" {
				uris = append(uris, l.ManagerURI)
			}
		}
		err := r.Store.InTx(ctx, func(tx *storage.Store) error {
			known, err := tx.AccountsByURIs(ctx, uris)
			if err != nil {
				return err
			}
			for _, l := range part {
				a := known[l.AccountURI]
				if a == nil || a.Local() {
					continue
				}
				var want *string
				// One's own manager is kept as stated: the org chart shows it as a loop.
				if m := known[l.ManagerURI]; m != nil {
					want = &m.ID
				}
				if sameID(a.ManagerID, want) {
					continue
				}
				if err := tx.SetManager(ctx, a.ID, want); err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// UnlistUnseen takes out of the directory the people of domain that a complete read of
// its directory, begun at since, did not list.
func (r *Remote) UnlistUnseen(ctx context.Context, domain string, since time.Time) (int, error) {
	n, err := r.Store.UnlistUnseen(ctx, domain, since)
	if n > 0 {
		r.Log.InfoContext(ctx, "people no longer in a sibling's directory", "domain", domain, "count", n)
	}
	return int(n), err
}

// ReceiveActorDelete takes the sender out of the directory: its node deleted or
// deactivated the account. The cached account stays, as do its posts; a later read of
// the node's directory lists the person again if they come back.
func (r *Remote) ReceiveActorDelete(ctx context.Context, in Incoming) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		r.Log.InfoContext(ctx, "remote actor deleted; out of the directory", "actor", in.Actor.Handle())
		if err := tx.Unlist(ctx, in.Actor.ID); err != nil {
			return err
		}
		// A guest deleted on its node loses its access here at once (guests_end.go).
		if in.Actor.IsGuest() && in.Actor.DeactivatedAt == nil {
			return r.endGuestAccess(ctx, tx, in.Actor)
		}
		return nil
	})
}

func sameID(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
