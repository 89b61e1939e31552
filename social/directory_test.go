package social_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// fakeResolver stands in for federation: it answers from a table of handles, storing
// the account as the real resolver caches it, and records what it was asked.
type fakeResolver struct {
	store *storage.Store
	now   func() time.Time
	// known maps handles to the display name the remote node reports.
	known map[string]string
	// err, when set, is the answer to every question.
	err   error
	asked []string
}

func (f *fakeResolver) ResolveAccount(ctx context.Context, handle string) (*model.Account, error) {
	f.asked = append(f.asked, handle)
	if f.err != nil {
		return nil, f.err
	}
	name, ok := f.known[handle]
	if !ok {
		return nil, social.ErrNotFound
	}
	user, domain, err := social.ParseHandle(handle)
	if err != nil {
		return nil, err
	}
	at := f.now().UTC().Truncate(time.Microsecond)
	a, err := f.store.RemoteAccountByHandle(ctx, user, domain)
	if errors.Is(err, storage.ErrNotFound) {
		base := "http://" + domain + "/users/" + user
		a = &model.Account{ID: "REMOTE" + user + domain, Username: user, Domain: domain, URI: base,
			InboxURI: base + "/inbox", SharedInboxURI: "http://" + domain + "/inbox", Role: model.RoleMember,
			DisplayName: name, FetchedAt: &at, CreatedAt: at, UpdatedAt: at}
		return a, f.store.CreateAccount(ctx, a)
	} else if err != nil {
		return nil, err
	}
	a.DisplayName, a.FetchedAt = name, &at
	return a, f.store.UpdateAccount(ctx, a, "display_name", "fetched_at")
}

// resolverEnv is an env whose rules ask res for remote accounts.
func resolverEnv(t *testing.T, store *storage.Store) (*env, *fakeResolver) {
	t.Helper()
	e := newEnv(t, store)
	res := &fakeResolver{store: store, now: e.clock.Peek, known: map[string]string{}}
	deps := e.deps
	deps.Resolver = res
	e.svc, e.deps = social.New(deps), deps
	return e, res
}

func TestParseHandle(t *testing.T) {
	cases := []struct {
		in, user, domain string
		ok               bool
	}{
		{"alice", "alice", "", true},
		{"@Alice", "alice", "", true},
		{" bob@127.0.0.1:8082 ", "bob", "127.0.0.1:8082", true},
		{"@bob@Node.Example:8443", "bob", "node.example:8443", true},
		{"bob@node.example", "bob", "node.example", true},
		{"bob@[::1]:8082", "bob", "[::1]:8082", true},
		{"bob@[::1]", "bob", "[::1]", true},
		{"", "", "", false},
		{"@", "", "", false},
		{"@@host", "", "", false},
		{"bob@", "", "", false},
		{"bob@host:", "", "", false},
		{"bob@host:0", "", "", false},
		{"bob@host:65536", "", "", false},
		{"bob@host:080", "", "", false},
		{"bob@host:http", "", "", false},
		{"bob@::1", "", "", false},
		{"bob@a@b", "", "", false},
		{"bob@host/path", "", "", false},
		{"bob@host?x=1", "", "", false},
		{"bob@host#x", "", "", false},
		{"bob@ho st", "", "", false},
		{"bob@-host", "", "", false},
		{"bob@host..example", "", "", false},
		{"bob@user:pass@host", "", "", false},
		{"bo b@host", "", "", false},
		{"../etc@host", "", "", false},
		{"bob@" + string(make([]byte, 300)), "", "", false},
	}
	for _, c := range cases {
		user, domain, err := social.ParseHandle(c.in)
		if !c.ok {
			if !errors.Is(err, social.ErrNotFound) {
				t.Errorf("ParseHandle(%q) = %q, %q, %v; want ErrNotFound", c.in, user, domain, err)
			}
			continue
		}
		if err != nil || user != c.user || domain != c.domain {
			t.Errorf("ParseHandle(%q) = %q, %q, %v; want %q, %q", c.in, user, domain, err, c.user, c.domain)
		}
	}
}

func TestGetByHandle(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e, res := resolverEnv(t, store)
		root := e.admin("root")
		alice := e.member("alice")
		fresh := testrig.InsertRemoteAccount(t, store, "bob", "127.0.0.1:8082")
		at := e.clock.Peek()
		fresh.FetchedAt, fresh.JobTitle = &at, "Engineer"
		if err := store.UpdateAccount(e.ctx, fresh, "fetched_at", "job_title"); err != nil {
			t.Fatal(err)
		}
		stale := testrig.InsertRemoteAccount(t, store, "dora", "127.0.0.1:8082")
		gone := testrig.InsertRemoteAccount(t, store, "gone", "127.0.0.1:8082")
		gone.DeactivatedAt = &at
		if err := store.UpdateAccount(e.ctx, gone, "deactivated_at"); err != nil {
			t.Fatal(err)
		}
		res.known["carol@127.0.0.1:8083"] = "Carol Remote"
		e.follow(alice, fresh)

		cases := []struct {
			name, handle string
			viewer       *model.Account
			wantID       string
			wantName     string
			wantErr      error
			wantAsked    []string
		}{
			{"local", "alice", root, alice.ID, "alice", nil, nil},
			{"local with at", "@alice", root, alice.ID, "alice", nil, nil},
			{"own host is local", "alice@127.0.0.1:8080", root, alice.ID, "alice", nil, nil},
			{"own host unknown user", "nobody@127.0.0.1:8080", root, "", "", social.ErrNotFound, nil},
			{"fresh cache", "@bob@127.0.0.1:8082", root, fresh.ID, "bob", nil, nil},
			{"uncached resolved", "carol@127.0.0.1:8083", root, "REMOTEcarol127.0.0.1:8083", "Carol Remote", nil,
				[]string{"carol@127.0.0.1:8083"}},
			{"resolved once then cached", "carol@127.0.0.1:8083", root, "REMOTEcarol127.0.0.1:8083", "Carol Remote", nil, nil},
			{"stale cache kept when node says nothing", "dora@127.0.0.1:8082", root, stale.ID, "dora", nil,
				[]string{"dora@127.0.0.1:8082"}},
			{"unknown remote", "zed@127.0.0.1:8083", root, "", "", social.ErrNotFound, []string{"zed@127.0.0.1:8083"}},
			{"deactivated remote hidden", "gone@127.0.0.1:8082", alice, "", "", social.ErrNotFound, []string{"gone@127.0.0.1:8082"}},
			{"deactivated remote for admins", "gone@127.0.0.1:8082", root, gone.ID, "gone", nil, []string{"gone@127.0.0.1:8082"}},
			{"malformed host", "bob@127.0.0.1:8082/x", root, "", "", social.ErrNotFound, nil},
			{"malformed user", "b!ob@127.0.0.1:8082", root, "", "", social.ErrNotFound, nil},
			{"two ats", "bob@evil@127.0.0.1:8082", root, "", "", social.ErrNotFound, nil},
		}
		for _, c := range cases {
			res.asked = nil
			prof, err := e.svc.Profiles.GetByHandle(e.ctx, c.viewer, c.handle)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Errorf("%s: err %v, want %v", c.name, err, c.wantErr)
				}
			} else if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if prof.Account.ID != c.wantID || prof.Account.Name() != c.wantName {
				t.Errorf("%s: got %s (%s)", c.name, prof.Account.Handle(), prof.Account.Name())
			}
			if len(res.asked) != len(c.wantAsked) || (len(c.wantAsked) > 0 && res.asked[0] != c.wantAsked[0]) {
				t.Errorf("%s: resolver asked %v, want %v", c.name, res.asked, c.wantAsked)
			}
		}

		// What this node knows of a remote account: its local followers, the viewer's follow.
		prof, err := e.svc.Profiles.GetByHandle(e.ctx, alice, "bob@127.0.0.1:8082")
		if err != nil {
			t.Fatal(err)
		}
		following, pending, err := e.svc.Follows.State(e.ctx, alice, fresh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prof.Account.JobTitle != "Engineer" || prof.IsViewer || prof.Followers+prof.Following > 1 ||
			prof.FollowedByViewer != following || following == pending {
			t.Fatalf("remote profile %+v, following %v, pending %v", prof, following, pending)
		}

		// A cache older than a day is refreshed.
		e.clock.Advance(25 * time.Hour)
		res.known["bob@127.0.0.1:8082"] = "Bob Renamed"
		res.asked = nil
		if prof, err = e.svc.Profiles.GetByHandle(e.ctx, alice, "bob@127.0.0.1:8082"); err != nil {
			t.Fatal(err)
		}
		if prof.Account.DisplayName != "Bob Renamed" || len(res.asked) != 1 {
			t.Fatalf("stale cache not refreshed: %q, asked %v", prof.Account.DisplayName, res.asked)
		}

		// A node that cannot be asked: the cache is shown, an unknown account is an
		// unavailable node rather than a missing person.
		e.clock.Advance(25 * time.Hour)
		res.err = errors.New("connection refused")
		if prof, err = e.svc.Profiles.GetByHandle(e.ctx, alice, "bob@127.0.0.1:8082"); err != nil || prof.Account.ID != fresh.ID {
			t.Fatalf("unreachable node with cache: %v", err)
		}
		_, err = e.svc.Profiles.GetByHandle(e.ctx, alice, "erin@127.0.0.1:8083")
		if !errors.Is(err, social.ErrRemoteUnavailable) || errors.Is(err, social.ErrNotFound) {
			t.Fatalf("unreachable node without cache: %v", err)
		}
	})
}

func TestFollowState(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		remote := e.insertRemote("rem")
		e.follow(mia, bob)
		e.follow(mia, remote)
		cases := []struct {
			name                   string
			follower, followee     *model.Account
			wantFollow, wantPended bool
		}{
			{"local follow takes effect", mia, bob, true, false},
			{"remote follow waits", mia, remote, false, true},
			{"no follow", bob, mia, false, false},
		}
		for _, c := range cases {
			following, pending, err := e.svc.Follows.State(e.ctx, c.follower, c.followee.ID)
			if err != nil || following != c.wantFollow || pending != c.wantPended {
				t.Errorf("%s: following %v pending %v err %v", c.name, following, pending, err)
			}
		}
		if err := e.svc.Follows.Unfollow(e.ctx, mia, remote.ID); err != nil {
			t.Fatal(err)
		}
		if following, pending, err := e.svc.Follows.State(e.ctx, mia, remote.ID); err != nil || following || pending {
			t.Fatalf("after undo: following %v pending %v err %v", following, pending, err)
		}
	})
}
