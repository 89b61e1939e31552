package federation_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/federation"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// Nodes of the outbox tests. The node under test is testrig.BaseURL (port 8080).
const (
	siblingB = "http://127.0.0.1:8082"
	siblingC = "http://127.0.0.1:8083"
	partnerP = "http://127.0.0.1:8084"
	strangeD = "http://127.0.0.1:8085" // not a peer
)

// outboxWorld is a node with an Outbox, its peers and some remote accounts.
type outboxWorld struct {
	t        *testing.T
	ctx      context.Context
	store    *storage.Store
	svc      *social.Service
	box      *federation.Outbox
	clock    *testrig.Clock
	notified atomic.Int32
}

func newOutboxWorld(t *testing.T, store *storage.Store) *outboxWorld {
	t.Helper()
	w := &outboxWorld{t: t, ctx: context.Background(), store: store}
	rig := testrig.NewRig(t, store)
	w.clock = rig.Clock
	w.box = federation.NewOutbox(federation.OutboxOptions{URIs: rig.Deps.URIs, Now: rig.Clock.Now,
		Notify: func() { w.notified.Add(1) }})
	deps := rig.Deps
	deps.Outbox = w.box
	w.svc = social.New(deps)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, p := range []*model.Peer{
		{Origin: siblingB, Trust: model.TrustSibling},
		{Origin: siblingC, Trust: model.TrustSibling},
		{Origin: partnerP, Trust: model.TrustPartner},
		// The node itself listed as a peer by mistake must still never be a target.
		{Origin: testrig.BaseURL, Trust: model.TrustSibling},
	} {
		p.CreatedAt, p.UpdatedAt = now, now
		if err := store.SavePeer(w.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *outboxWorld) remote(username, origin string) *model.Account {
	w.t.Helper()
	return testrig.InsertRemoteAccount(w.t, w.store, username, strings.TrimPrefix(origin, "http://"))
}

// acceptedFollow stores remote follower's accepted follow of a local account.
func (w *outboxWorld) acceptedFollow(follower, followee *model.Account, accepted bool) {
	w.t.Helper()
	err := w.store.CreateFollow(w.ctx, &model.Follow{FollowerID: follower.ID, FolloweeID: followee.ID,
		URI: follower.URI + "/follows/" + followee.Username, Accepted: accepted, CreatedAt: time.Now().UTC()})
	if err != nil {
		w.t.Fatal(err)
	}
}

// take returns the deliveries queued since the last call, sorted by inbox, and forgets them.
func (w *outboxWorld) take() []*model.Delivery {
	w.t.Helper()
	var rows []*model.Delivery
	if err := w.store.DB().NewSelect().Model(&rows).Scan(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.store.DB().NewDelete().TableExpr("deliveries").Where("1 = 1").Exec(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].InboxURI < rows[j].InboxURI })
	return rows
}

// payload decodes a delivery's JSON.
func payload(t *testing.T, d *model.Delivery) map[string]interface{} {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal([]byte(d.Payload), &m); err != nil {
		t.Fatalf("payload of %s: %v", d.ActivityID, err)
	}
	return m
}

func TestOutboxTargets(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		w := newOutboxWorld(t, store)
		ctx := w.ctx
		mia := testrig.CreateAccount(t, w.svc, "mia", model.RoleMember)
		bob := testrig.CreateAccount(t, w.svc, "bob", model.RoleMember)
		b1 := w.remote("b1", siblingB)
		b2 := w.remote("b2", siblingB)
		c1 := w.remote("c1", siblingC)
		p1 := w.remote("p1", partnerP)
		d1 := w.remote("d1", strangeD)
		for _, f := range []*model.Account{b1, b2, p1, d1} {
			w.acceptedFollow(f, mia, true)
		}
		w.acceptedFollow(c1, mia, false) // pending: receives nothing
		remotePost := &model.Post{ID: "01REMOTEPOST0000000000000", URI: partnerP + "/posts/01R", AccountID: p1.ID,
			Audience: model.AudienceCompany, Source: "Hi", HTML: "<p>Hi</p>", CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		if err := store.InTx(ctx, func(tx *storage.Store) error { return tx.CreatePost(ctx, remotePost, nil, nil) }); err != nil {
			t.Fatal(err)
		}
		w.take()

		var companyPost *model.Post
		cases := []struct {
			name    string
			do      func() error
			inboxes []string
			typ     string
			check   func(t *testing.T, m map[string]interface{})
		}{
			{"company post to siblings only", func() (err error) {
				companyPost, err = w.svc.Posts.Create(ctx, mia, social.PostInput{Source: "Hello @bob #plant", Audience: model.AudienceCompany})
				return err
			}, []string{siblingB + "/inbox", siblingC + "/inbox"}, "Create", func(t *testing.T, m map[string]interface{}) {
				note := m["object"].(map[string]interface{})
				if m["to"] != testrig.BaseURL+"/company" || note["cc"] != bob.URI {
					t.Errorf("addressing to %v, note cc %v", m["to"], note["cc"])
				}
				if !strings.Contains(note["content"].(string), "plant") || note["tag"] == nil {
					t.Errorf("note %v", note)
				}
			}},
			{"followers post to accepted followers' peer nodes", func() error {
				_, err := w.svc.Posts.Create(ctx, mia, social.PostInput{Source: "Followers only", Audience: model.AudienceFollowers})
				return err
			}, []string{siblingB + "/inbox", partnerP + "/inbox"}, "Create", func(t *testing.T, m map[string]interface{}) {
				if m["to"] != mia.URI+"/followers" {
					t.Errorf("to %v", m["to"])
				}
			}},
			{"site post to nobody", func() error {
				_, err := w.svc.Posts.Create(ctx, mia, social.PostInput{Source: "Here only", Audience: model.AudienceSite})
				return err
			}, nil, "", nil},
			{"comment on a partner's post reaches the partner", func() error {
				_, err := w.svc.Posts.Create(ctx, bob, social.PostInput{Source: "Reply", InReplyToID: remotePost.ID})
				return err
			}, []string{siblingB + "/inbox", siblingC + "/inbox", partnerP + "/inbox"}, "Create", func(t *testing.T, m map[string]interface{}) {
				note := m["object"].(map[string]interface{})
				if note["inReplyTo"] != remotePost.URI || m["cc"] != p1.URI {
					t.Errorf("inReplyTo %v cc %v", note["inReplyTo"], m["cc"])
				}
			}},
			{"like of a company post", func() error {
				return w.svc.Posts.React(ctx, bob, companyPost.ID, "like", true)
			}, []string{siblingB + "/inbox", siblingC + "/inbox"}, "Like", nil},
			{"emoji reaction on a partner's post", func() error {
				return w.svc.Posts.React(ctx, bob, remotePost.ID, "celebrate", true)
			}, []string{siblingB + "/inbox", siblingC + "/inbox", partnerP + "/inbox"}, "EmojiReact", func(t *testing.T, m map[string]interface{}) {
				if m["content"] != "🎉" || m["to"] != p1.URI {
					t.Errorf("content %v to %v", m["content"], m["to"])
				}
			}},
			{"undo of the reaction", func() error {
				return w.svc.Posts.React(ctx, bob, remotePost.ID, "celebrate", false)
			}, []string{siblingB + "/inbox", siblingC + "/inbox", partnerP + "/inbox"}, "Undo", nil},
			{"edit", func() error {
				_, err := w.svc.Posts.Edit(ctx, mia, companyPost.ID, "Hello again")
				return err
			}, []string{siblingB + "/inbox", siblingC + "/inbox"}, "Update", nil},
			{"follow of a sibling's user", func() error {
				return w.svc.Follows.Follow(ctx, bob, c1.ID)
			}, []string{siblingC + "/inbox"}, "Follow", func(t *testing.T, m map[string]interface{}) {
				if m["object"] != c1.URI || !strings.HasPrefix(m["id"].(string), bob.URI+"/follows/") {
					t.Errorf("follow %v", m)
				}
			}},
			{"unfollow", func() error {
				return w.svc.Follows.Unfollow(ctx, bob, c1.ID)
			}, []string{siblingC + "/inbox"}, "Undo", nil},
			{"follow of a non-peer's user is stored but not sent", func() error {
				return w.svc.Follows.Follow(ctx, bob, d1.ID)
			}, nil, "", nil},
			{"accept of a partner's follow", func() error {
				return store.InTx(ctx, func(tx *storage.Store) error {
					return w.box.Enqueue(ctx, tx, social.Activity{Kind: social.ActivityAccept, Actor: mia,
						Follow: &model.Follow{URI: p1.URI + "/follows/x"}, Object: p1})
				})
			}, []string{partnerP + "/inbox"}, "Accept", nil},
			{"profile update to siblings and followers' nodes", func() error {
				return w.svc.Profiles.Update(ctx, mia, social.ProfileInput{DisplayName: "Mia", Email: "mia@example.com"})
			}, []string{siblingB + "/inbox", siblingC + "/inbox", partnerP + "/inbox"}, "Update", func(t *testing.T, m map[string]interface{}) {
				person := m["object"].(map[string]interface{})
				if person["type"] != "Person" || person["name"] != "Mia" {
					t.Errorf("person %v", person)
				}
			}},
			{"delete", func() error {
				return w.svc.Posts.Delete(ctx, mia, companyPost.ID)
			}, []string{siblingB + "/inbox", siblingC + "/inbox"}, "Delete", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := w.notified.Load()
				start := w.clock.Peek()
				if err := c.do(); err != nil {
					t.Fatal(err)
				}
				rows := w.take()
				var inboxes []string
				for _, d := range rows {
					inboxes = append(inboxes, d.InboxURI)
				}
				if strings.Join(inboxes, " ") != strings.Join(c.inboxes, " ") {
					t.Fatalf("inboxes %v, want %v", inboxes, c.inboxes)
				}
				if len(rows) == 0 {
					if w.notified.Load() != before {
						t.Error("worker notified without deliveries")
					}
					return
				}
				if w.notified.Load() != before+1 {
					t.Errorf("worker notified %d times, want once", w.notified.Load()-before)
				}
				for _, d := range rows {
					if d.Status != model.DeliveryPending || d.ActorID == nil || d.Attempts != 0 ||
						d.Origin+"/inbox" != d.InboxURI || d.NextAttemptAt.Before(start) || d.Payload != rows[0].Payload ||
						d.ActivityID != rows[0].ActivityID {
						t.Errorf("row %+v", d)
					}
				}
				m := payload(t, rows[0])
				if m["type"] != c.typ || m["id"] != rows[0].ActivityID {
					t.Errorf("payload type %v id %v, want %s %s", m["type"], m["id"], c.typ, rows[0].ActivityID)
				}
				if strings.Contains(rows[0].Payload, "Public") {
					t.Errorf("as:Public addressed: %s", rows[0].Payload)
				}
				if c.check != nil {
					c.check(t, m)
				}
			})
		}
		// The follow of the non-peer's user exists, waiting.
		if f, err := store.FollowBetween(ctx, bob.ID, d1.ID); err != nil || f.Accepted {
			t.Fatalf("follow of d1: %+v, %v", f, err)
		}
	})
}

func TestOutboxWithoutPeersWritesNothing(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		rig := testrig.NewRig(t, store)
		deps := rig.Deps
		deps.Outbox = federation.NewOutbox(federation.OutboxOptions{URIs: deps.URIs})
		svc := social.New(deps)
		mia := testrig.CreateAccount(t, svc, "mia", model.RoleMember)
		if _, err := svc.Posts.Create(context.Background(), mia, social.PostInput{Source: "x", Audience: model.AudienceCompany}); err != nil {
			t.Fatal(err)
		}
		n, err := store.DB().NewSelect().TableExpr("deliveries").Count(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("%d deliveries, %v", n, err)
		}
	})
}
