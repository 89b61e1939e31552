package activitypub

import (
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams/vocab"
)

// WithheldPersonToAS is the Person a node serves in place of a's profile to a node whose
// users may not see a (a partner node, to which its users are guests). It holds what
// that node needs to verify a's signatures and to address it: id, preferredUsername
// (the last segment of the id, nothing new), inbox, shared inbox and key; the role and
// guestExpires, which decide what a's signatures may still do there; and
// atrium:profileWithheld. No name, summary, icon, collections, manager, skills or other
// profile field.
func WithheldPersonToAS(a *model.Account, guestExpires *time.Time) (vocab.ActivityStreamsPerson, error) {
	bare := &model.Account{URI: a.URI, Username: a.Username, InboxURI: a.InboxURI,
		SharedInboxURI: a.SharedInboxURI, PublicKeyPEM: a.PublicKeyPEM, Role: a.Role}
	p, err := PersonToAS(bare, PersonExtras{GuestExpires: guestExpires})
	if err != nil {
		return nil, err
	}
	// PersonToAS names everyone (the username when there is no display name) and links
	// the collections; a withheld profile has neither.
	p.SetActivityStreamsName(nil)
	p.SetActivityStreamsOutbox(nil)
	p.SetActivityStreamsFollowers(nil)
	p.SetActivityStreamsFollowing(nil)
	p.GetUnknownProperties()[TermProfileWithheld] = true
	return p, nil
}

// withholdProfile empties what a Person with atrium:profileWithheld may not carry, so a
// receiver keeps only its key, inboxes, role and end, and clears what it had cached of
// the profile.
func withholdProfile(r *RemoteActor) {
	a := &r.Account
	a.DisplayName, a.JobTitle, a.Department, a.Site = "", "", "", ""
	r.SummaryHTML, r.ManagerURI, r.IconURL = "", "", ""
	r.Skills = []string{}
	r.ProfileWithheld = true
}
