package federation

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestWebFingerAnswers(t *testing.T) {
	w := newWorld(t, testrig.NewStore(t, "sqlite"))
	alice := w.member("alice")
	host := strings.TrimPrefix(w.origin, "http://")
	q := func(resource string) (int, string) {
		return w.get(WebFingerPath+"?resource="+url.QueryEscape(resource), nil)
	}
	code, body := q("acct:alice@" + host)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var j JRD
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	if actor, err := j.ActorURI(); err != nil || actor != alice.URI || j.Subject != "acct:alice@"+host {
		t.Errorf("jrd %+v (%v)", j, err)
	}
	code, body = q("acct:" + hostname(host) + "@" + host)
	if code != http.StatusOK || !strings.Contains(body, w.origin+"/actor") {
		t.Errorf("node actor: %d %s", code, body)
	}
	for _, tc := range []struct {
		resource string
		want     int
	}{
		{"", http.StatusBadRequest},
		{"alice", http.StatusBadRequest},
		{"acct:nobody@" + host, http.StatusNotFound},
		{"acct:alice@127.0.0.1:1", http.StatusNotFound},
	} {
		if code, _ := q(tc.resource); code != tc.want {
			t.Errorf("%q: %d, want %d", tc.resource, code, tc.want)
		}
	}
	admin := testrig.CreateAccount(t, w.svc, "root", model.RoleAdmin)
	if err := w.svc.Accounts.SetActive(w.ctx, admin, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	if code, _ := q("acct:alice@" + host); code != http.StatusNotFound {
		t.Errorf("deactivated user: %d", code)
	}
}

func TestNodeInfoAndHostMeta(t *testing.T) {
	w := newWorld(t, testrig.NewStore(t, "sqlite"))
	alice := w.member("alice")
	w.member("bert")
	if _, err := w.svc.Posts.Create(w.ctx, alice, social.PostInput{Source: "hi", Audience: model.AudienceSite}); err != nil {
		t.Fatal(err)
	}
	code, body := w.get("/.well-known/nodeinfo", nil)
	var links struct{ Links []Link }
	if err := json.Unmarshal([]byte(body), &links); code != http.StatusOK || err != nil || len(links.Links) != 1 ||
		links.Links[0].Rel != NodeInfoSchema || links.Links[0].Href != w.origin+"/nodeinfo/2.1" {
		t.Fatalf("links: %d %s", code, body)
	}
	code, body = w.get("/nodeinfo/2.1", nil)
	var ni struct {
		Version           string
		Software          struct{ Name, Version string }
		Protocols         []string
		OpenRegistrations *bool
		Usage             struct {
			Users      struct{ Total int }
			LocalPosts int
		}
	}
	if err := json.Unmarshal([]byte(body), &ni); code != http.StatusOK || err != nil {
		t.Fatalf("nodeinfo: %d %s", code, body)
	}
	if ni.Version != "2.1" || ni.Software.Name != "atrium" || ni.Software.Version == "" || len(ni.Protocols) != 1 ||
		ni.Protocols[0] != "activitypub" || ni.OpenRegistrations == nil || *ni.OpenRegistrations ||
		ni.Usage.Users.Total != 2 || ni.Usage.LocalPosts != 1 {
		t.Errorf("nodeinfo: %s", body)
	}
	code, body = w.get("/.well-known/host-meta", nil)
	if code != http.StatusOK || !strings.Contains(body, `<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">`) ||
		!strings.Contains(body, `rel="lrdd"`) || !strings.Contains(body, w.origin+WebFingerPath+"?resource={uri}") {
		t.Errorf("host-meta: %d %s", code, body)
	}
	code, body = w.get("/ns", nil)
	if code != http.StatusOK || !strings.Contains(body, `"atrium:role"`) {
		t.Errorf("context: %d %s", code, body)
	}
}

// TestResolverBetweenNodes resolves a user of one real node from another: WebFinger,
// then a signed fetch that the other node authorizes by the first node's actor key.
func TestResolverBetweenNodes(t *testing.T) {
	a := newWorld(t, testrig.NewStore(t, "sqlite"))
	x := newWorld(t, testrig.NewStore(t, "sqlite"))
	alice := a.member("alice")
	for _, pair := range [][2]*world{{a, x}, {x, a}} {
		norm, _ := activitypub.Origin(pair[1].origin)
		if err := pair[0].store.SavePeer(pair[0].ctx, &model.Peer{Origin: norm, Trust: model.TrustPartner,
			CreatedAt: a.clock.Now(), UpdatedAt: a.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := LoadNodeIdentity(x.ctx, x.store, x.origin, testrig.Keys(), x.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := id.Signer(x.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	res := NewResolver(ResolverOptions{Origin: x.origin, Store: x.store, Remote: x.svc.Remote,
		Client: &http.Client{Timeout: 10 * time.Second}, Signer: signer, Now: x.clock.Now})
	// x is a's partner: a shows x the people who share a group with x's users, and of
	// anyone else only the key.
	bea := a.member("bea")
	beaHandle := "bea@" + strings.TrimPrefix(a.origin, "http://")
	kept, err := res.ResolveAccount(x.ctx, beaHandle)
	if err != nil || kept.URI != bea.URI || kept.PublicKeyPEM != bea.PublicKeyPEM || !social.ProfileWithheld(kept) ||
		kept.DisplayName != "" || kept.FollowersURI != "" {
		t.Errorf("a person sharing no group with the partner's users resolved as %+v (%v), want the key only", kept, err)
	}
	xena := testrig.InsertRemoteAccount(t, a.store, "xena", strings.TrimPrefix(x.origin, "http://"))
	shared, err := a.svc.Groups.Create(a.ctx, alice, social.GroupInput{Name: "shared", DisplayName: "Shared", Kind: model.GroupClosed})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SaveMembership(a.ctx, &model.Membership{GroupID: shared.ID, AccountID: xena.ID, Role: model.GroupMember,
		State: model.MemberActive, CreatedAt: a.clock.Now(), UpdatedAt: a.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	handle := "alice@" + strings.TrimPrefix(a.origin, "http://")
	got, err := res.ResolveAccount(x.ctx, handle)
	if err != nil {
		t.Fatal(err)
	}
	if got.URI != alice.URI || got.Local() || got.Role != model.RoleGuest || got.PublicKeyPEM != alice.PublicKeyPEM ||
		got.FollowersURI != alice.URI+"/followers" {
		t.Errorf("resolved %+v", got)
	}
	// Cached and fresh: no refetch; stale: refetched.
	again, err := res.Actor(x.ctx, alice.URI)
	if err != nil || again.ID != got.ID || !again.FetchedAt.Equal(*got.FetchedAt) {
		t.Errorf("cached: %+v %v", again, err)
	}
	// A failed refresh keeps the cached copy: here x's clock is off, so a refuses it.
	x.clock.Advance(2 * time.Hour)
	if kept, err := res.Actor(x.ctx, alice.URI); err != nil || kept.ID != got.ID {
		t.Errorf("cache not kept on failed refresh: %v", err)
	}
	a.clock.Advance(2 * time.Hour)
	fresh, err := res.Actor(x.ctx, alice.URI)
	if err != nil || !fresh.FetchedAt.After(*got.FetchedAt) {
		t.Errorf("stale actor not refreshed: %+v %v", fresh, err)
	}
	if _, err := res.ResolveAccount(x.ctx, "alice@127.0.0.1:1"); err == nil {
		t.Error("resolved on a non-peer")
	}
	if _, err := res.ResolveAccount(x.ctx, "nobody@"+strings.TrimPrefix(a.origin, "http://")); err == nil {
		t.Error("resolved an unknown user")
	}
}
