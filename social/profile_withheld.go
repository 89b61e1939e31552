package social

import "github.com/atrium-intranet/atrium/model"

// Profiles a node withholds. A partner node's users are guests on this company's nodes,
// so a sibling node serves a partner only the key and address of a person who shares no
// group with the partner's users (a Person with atrium:profileWithheld). The partner
// keeps them, to verify what the person signs and to invite the person to a group, and
// nothing to show: such a cached account has a key but no FetchedAt (every fetched actor
// has both), so it is never taken for a fresh copy (every lookup asks its node again,
// which tells when the person becomes visible), and its profile is not found.

// ProfileWithheld reports whether a is a cached remote account whose node gave only its
// key and address: there is no profile of it to show.
func ProfileWithheld(a *model.Account) bool {
	return a != nil && !a.Local() && a.FetchedAt == nil && a.PublicKeyPEM != ""
}
