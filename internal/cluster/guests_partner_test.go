package cluster_test

import (
	"bytes"
	"context"
	"image/color"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// TestGuestPartnerPersons checks what a partner node learns of a sibling's people. Its
// users are guests on Atrium, so it gets in full only the people who share a group with
// one of them; of anyone else only the key, which it needs to verify what the person
// signs (here the Reject of a follow), and its user looking the person up finds nothing.
// When the shared membership ends, the person is no longer served, and the partner's
// copy of the profile goes at its next refresh.
func TestGuestPartnerPersons(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			clock := &cluster.Clock{}
			nodes := cluster.StartClocked(t, dialect, clock, "Atrium", "Branch", "Partner")
			a, b, d := nodes[0], nodes[1], nodes[2]
			cluster.Connect(a, b)
			a.Allow(d, model.TrustPartner)
			d.Allow(a, model.TrustPartner)
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			mia, bob, dora := a.User("mia"), a.User("bob"), d.User("dora")
			// Each profile field carries a word that must not leak.
			profile := func(who *model.Account, word string) {
				t.Helper()
				must("profile of "+who.Username, a.Social.Profiles.Update(ctx, who, social.ProfileInput{
					DisplayName: word + "name", JobTitle: word + "job", Department: word + "dept", Site: word + "site",
					Email: who.Email, Skills: word + "skill", About: word + "about",
				}))
				must("avatar of "+who.Username, a.Social.Profiles.SetAvatar(ctx, who, bytes.NewReader(solidPNG(t, 64, 64, color.RGBA{200, 40, 40, 255}))))
			}
			profile(mia, "Miazeta")
			profile(bob, "Bobzeta")
			reload := func(who *model.Account) *model.Account {
				t.Helper()
				fresh, err := a.Store.Account(ctx, who.ID)
				must("reload "+who.Username, err)
				return fresh
			}
			mia, bob = reload(mia), reload(bob)
			leaks := func(body, word string) bool {
				for _, f := range []string{"name", "job", "dept", "site", "skill", "about"} {
					if strings.Contains(body, word+f) {
						return true
					}
				}
				return false
			}

			// dora, the partner's user, joins mia's group on Atrium by invitation.
			team, err := a.Social.Groups.Create(ctx, mia, social.GroupInput{Name: "pteam", DisplayName: "Pteam", Kind: model.GroupClosed})
			must("team", err)
			must("invite dora", a.Social.Groups.Invite(ctx, mia, team.ID, a.Find(d, "dora").ID))
			cluster.Settle(t, nodes...)
			cached, err := d.Store.GroupByURI(ctx, team.URI)
			must("Partner caches the team", err)
			_, err = d.Social.Groups.Join(ctx, dora, cached.ID)
			must("dora joins", err)
			cluster.Settle(t, nodes...)
			doraOnA := onAtrium(t, a, dora)
			if st := membershipState(t, a, team.ID, doraOnA); st != model.MemberActive {
				t.Fatalf("dora in the team: %q", st)
			}
			cook, err := d.Social.Auth.Login(ctx, "dora", testrig.Password, "partner", "127.0.0.1")
			must("dora logs in", err)

			// served checks what a signed fetch of a person's documents gives: full is the
			// profile, keyOnly the withheld Person, neither a 404.
			served := func(who *model.Account, word string, full, keyOnly bool, signer string) {
				t.Helper()
				s := d.NodeSigner()
				switch signer {
				case "partner user":
					s = d.AccountSigner(dora)
				case "sibling":
					s = b.NodeSigner()
				}
				r := a.SignedGet(s, "/users/"+who.Username)
				switch {
				case full:
					if r.Status != http.StatusOK || !leaks(r.Body, word) || strings.Contains(r.Body, activitypub.TermProfileWithheld) {
						t.Errorf("%s by the %s key: %d, want the profile: %s", who.Username, signer, r.Status, r.Body)
					}
				case keyOnly:
					if r.Status != http.StatusOK || leaks(r.Body, word) || !strings.Contains(r.Body, `"`+activitypub.TermProfileWithheld+`":true`) ||
						!strings.Contains(r.Body, "publicKeyPem") || strings.Contains(r.Body, who.AvatarFile) || strings.Contains(r.Body, `"name"`) {
						t.Errorf("%s by the %s key: %d, want the key only: %s", who.Username, signer, r.Status, r.Body)
					}
				default:
					if !refusedStatus(r.Status) || leaks(r.Body, word) {
						t.Errorf("%s by the %s key: LEAK %d %s", who.Username, signer, r.Status, r.Body)
					}
				}
				for _, c := range []string{"outbox", "followers", "following"} {
					r := a.SignedGet(s, "/users/"+who.Username+"/"+c)
					if full != (r.Status == http.StatusOK) {
						t.Errorf("%s's %s by the %s key: %d, want served %v", who.Username, c, signer, r.Status, full)
					}
				}
				req := a.NewRequest(http.MethodGet, "/avatars/"+who.AvatarFile, nil)
				req.Header.Set("Accept", "image/png")
				must("sign", s.Sign(req, nil))
				if r := a.Do(req); full != (r.Status == http.StatusOK) {
					t.Errorf("%s's avatar by the %s key: %d, want served %v", who.Username, signer, r.Status, full)
				}
			}
			// looksUp checks what dora sees on Partner when she looks the person up.
			looksUp := func(who *model.Account, word string, shown bool) {
				t.Helper()
				r := webGet(t, d, cook, "/users/"+who.Username+"@"+a.Host)
				if shown && (r.Status != http.StatusOK || !strings.Contains(r.Body, word+"name")) {
					t.Errorf("dora looks up %s: %d, want the profile", who.Username, r.Status)
				} else if !shown && (r.Status != http.StatusNotFound || leaks(r.Body, word)) {
					t.Errorf("dora looks up %s: %d (profile shown %v), want 404 without it", who.Username, r.Status, leaks(r.Body, word))
				}
			}

			// (a) bob shares no group with the partner's users: its node gets his key,
			// nothing of his profile; dora's own key gets nothing; dora finds nobody.
			served(bob, "Bobzeta", false, true, "partner node")
			served(bob, "Bobzeta", false, false, "partner user")
			served(bob, "Bobzeta", true, false, "sibling")
			looksUp(bob, "Bobzeta", false)
			kept := accountOn(t, d, bob.URI)
			if kept == nil || kept.PublicKeyPEM == "" || !social.ProfileWithheld(kept) || leaks(kept.DisplayName+kept.JobTitle+kept.Department+kept.Site+kept.AboutHTML, "Bobzeta") {
				t.Fatalf("bob on Partner: %+v, want his key only", kept)
			}
			// The key is enough for what bob signs: dora's pending follow (Partner's users
			// follow nobody of Atrium's, so it is stored here by hand) gets bob's Reject,
			// which Partner verifies with the withheld Person's key and applies.
			follow := &model.Follow{FollowerID: dora.ID, FolloweeID: kept.ID, URI: model.NewURIs(d.URL).Follow(dora.Username, "raw1"),
				CreatedAt: clock.Now()}
			must("pending follow on Partner", d.Store.SaveFollow(ctx, follow))
			rawFollow(t, d, dora, a, bob)
			cluster.Settle(t, nodes...)
			for _, dl := range a.DeliveriesTo(d) {
				if dl.Status != model.DeliveryDelivered {
					t.Errorf("delivery %s to Partner: %s (%s)", dl.ActivityID, dl.Status, dl.LastError)
				}
			}
			if n := followsOf(t, d, dora.ID); n != 0 {
				t.Errorf("dora's follow of bob still on Partner after his Reject (%d)", n)
			}
			looksUp(bob, "Bobzeta", false)

			// (b) mia shares the team with dora: in full, to the node and to dora's key.
			served(mia, "Miazeta", true, false, "partner node")
			served(mia, "Miazeta", true, false, "partner user")
			looksUp(mia, "Miazeta", true)

			// (c) dora leaves the team: mia is no longer served, and Partner's copy of her
			// profile goes at its next refresh.
			must("mia removes dora", a.Social.Groups.Remove(ctx, mia, team.ID, doraOnA, false))
			cluster.Settle(t, nodes...)
			served(mia, "Miazeta", false, true, "partner node")
			served(mia, "Miazeta", false, false, "partner user")
			clock.Advance(25 * 60 * 60 * 1e9) // past the cached profile's time to live
			cook, err = d.Social.Auth.Login(ctx, "dora", testrig.Password, "partner", "127.0.0.1")
			must("dora logs in again", err)
			looksUp(mia, "Miazeta", false)
			if kept := accountOn(t, d, mia.URI); kept == nil || leaks(kept.DisplayName+kept.JobTitle+kept.Department+kept.Site+kept.AboutHTML, "Miazeta") || kept.AvatarFile != "" {
				t.Errorf("mia on Partner after the refresh: %+v, want her key only", kept)
			}
		})
	}
}
