package social_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestAccountsCreateValidation(t *testing.T) {
	ok := social.NewAccount{Username: "alice", Email: "alice@example.com", Password: testrig.Password, DisplayName: "Alice"}
	with := func(f func(*social.NewAccount)) social.NewAccount {
		in := ok
		f(&in)
		return in
	}
	cases := []struct {
		name string
		in   social.NewAccount
		want map[string]string
	}{
		{"valid", ok, nil},
		{"username upper-case is lowered", with(func(in *social.NewAccount) { in.Username = " Alice " }), nil},
		{"username 30 chars", with(func(in *social.NewAccount) { in.Username = strings.Repeat("a", 30) }), nil},
		{"username 31 chars", with(func(in *social.NewAccount) { in.Username = strings.Repeat("a", 31) }), fields("username", "error.username.invalid")},
		{"username empty", with(func(in *social.NewAccount) { in.Username = "" }), fields("username", "error.username.invalid")},
		{"username dot", with(func(in *social.NewAccount) { in.Username = "a.b" }), fields("username", "error.username.invalid")},
		{"username at", with(func(in *social.NewAccount) { in.Username = "a@b" }), fields("username", "error.username.invalid")},
		{"username slash", with(func(in *social.NewAccount) { in.Username = "../x" }), fields("username", "error.username.invalid")},
		{"username non-ascii", with(func(in *social.NewAccount) { in.Username = "jörg" }), fields("username", "error.username.invalid")},
		{"email empty", with(func(in *social.NewAccount) { in.Email = "" }), fields("email", "error.email.invalid")},
		{"email no at", with(func(in *social.NewAccount) { in.Email = "alice.example.com" }), fields("email", "error.email.invalid")},
		{"email with name", with(func(in *social.NewAccount) { in.Email = "Alice <alice@example.com>" }), fields("email", "error.email.invalid")},
		{"email too long", with(func(in *social.NewAccount) { in.Email = strings.Repeat("a", 250) + "@x.de" }), fields("email", "error.email.invalid")},
		{"password 9", with(func(in *social.NewAccount) { in.Password = "123456789" }), fields("password", "error.password.short")},
		{"password 10", with(func(in *social.NewAccount) { in.Password = "1234567890" }), nil},
		{"password 256 bytes", with(func(in *social.NewAccount) { in.Password = strings.Repeat("p", 256) }), nil},
		{"password 257 bytes", with(func(in *social.NewAccount) { in.Password = strings.Repeat("p", 257) }), fields("password", "error.password.long")},
		{"role unknown", with(func(in *social.NewAccount) { in.Role = "root" }), fields("role", "error.role.invalid")},
		{"role guest", with(func(in *social.NewAccount) { in.Role = model.RoleGuest }), nil},
		{"display name 101", with(func(in *social.NewAccount) { in.DisplayName = strings.Repeat("ä", 101) }), fields("display_name", "error.too_long")},
		{"everything wrong", social.NewAccount{Username: "-", Email: "x", Password: "short", Role: "x"},
			fields("username", "error.username.invalid", "email", "error.email.invalid", "password", "error.password.short", "role", "error.role.invalid")},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a, err := e.svc.Accounts.Create(e.ctx, c.in)
				wantFields(t, err, c.want)
				if c.want != nil {
					if a != nil {
						t.Fatalf("account returned with error: %+v", a)
					}
					return
				}
				// Each case starts from an empty table per username; remove it again.
				if _, err := e.store.DB().NewDelete().TableExpr("accounts").Where("id = ?", a.ID).Exec(e.ctx); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

func TestAccountsCreateStoresAccount(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a, err := e.svc.Accounts.Create(e.ctx, social.NewAccount{
			Username: " Alice ", Email: "Alice@Example.COM", Password: testrig.Password, DisplayName: "  Alice A.  ",
		})
		if err != nil {
			t.Fatal(err)
		}
		got := e.reload(a)
		checks := []struct{ name, got, want string }{
			{"username", got.Username, "alice"},
			{"email", got.Email, "alice@example.com"},
			{"display name", got.DisplayName, "Alice A."},
			{"role", string(got.Role), "member"},
			{"domain", got.Domain, ""},
			{"site", got.Site, "Berlin"},
			{"uri", got.URI, "http://127.0.0.1:8080/users/alice"},
			{"inbox", got.InboxURI, "http://127.0.0.1:8080/users/alice/inbox"},
			{"shared inbox", got.SharedInboxURI, "http://127.0.0.1:8080/inbox"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		if !strings.HasPrefix(got.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----") || !strings.HasPrefix(got.PrivateKeyPEM, "-----BEGIN PRIVATE KEY-----") {
			t.Errorf("keys not stored as PEM: %.40q %.40q", got.PublicKeyPEM, got.PrivateKeyPEM)
		}
		if got.PasswordHash == testrig.Password || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
			t.Errorf("password hash = %.20q", got.PasswordHash)
		}
		if !got.Active() || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("active=%v created=%v want %v", got.Active(), got.CreatedAt, a.CreatedAt)
		}
		byName, err := e.svc.Accounts.ByUsername(e.ctx, "ALICE")
		if err != nil || byName.ID != a.ID {
			t.Fatalf("ByUsername(ALICE) = %v, %v", byName, err)
		}
		_, err = e.svc.Accounts.ByUsername(e.ctx, "nobody")
		wantErr(t, err, social.ErrNotFound)
		_, err = e.svc.Accounts.ByID(e.ctx, "01NOSUCHACCOUNT00000000000")
		wantErr(t, err, social.ErrNotFound)
	})
}

func TestAccountsCreateTaken(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.member("alice")
		cases := []struct {
			name            string
			username, email string
			want            map[string]string
		}{
			{"same username", "alice", "other@example.com", fields("username", "error.username.taken")},
			{"username other case", "ALICE", "other@example.com", fields("username", "error.username.taken")},
			{"same email", "bob", "alice@example.com", fields("email", "error.email.taken")},
			{"email other case", "bob", "ALICE@example.com", fields("email", "error.email.taken")},
			{"both taken", "Alice", "alice@example.com", fields("username", "error.username.taken")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Accounts.Create(e.ctx, social.NewAccount{Username: c.username, Email: c.email, Password: testrig.Password})
				wantFields(t, err, c.want)
			})
		}
		if n := e.count("accounts", "1 = 1"); n != 1 {
			t.Fatalf("accounts = %d, want 1", n)
		}
		// A remote account with the same username does not block a local one.
		testrig.InsertRemoteAccount(t, e.store, "carol", "127.0.0.1:8081")
		if _, err := e.svc.Accounts.Create(e.ctx, social.NewAccount{Username: "carol", Email: "carol@example.com", Password: testrig.Password}); err != nil {
			t.Fatalf("local carol beside remote carol: %v", err)
		}
	})
}

func TestAccountsAdminExists(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		want := func(exp bool) {
			t.Helper()
			got, err := e.svc.Accounts.AdminExists(e.ctx)
			if err != nil || got != exp {
				t.Fatalf("AdminExists = %v, %v; want %v", got, err, exp)
			}
		}
		want(false)
		e.member("mia")
		e.guest("gus")
		want(false)
		root := e.admin("root")
		want(true)
		second := e.admin("second")
		if err := e.svc.Accounts.SetActive(e.ctx, second, root.ID, false); err != nil {
			t.Fatal(err)
		}
		want(true)
		if err := e.svc.Accounts.SetActive(e.ctx, root, second.ID, false); err != nil {
			t.Fatal(err)
		}
		// Both admins deactivated (root acting with its stale record): none is active.
		want(false)
	})
}

func TestAccountsList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		viewer := e.member("viewer")
		names := []string{"anna", "bert", "carl", "dora", "emil", "fritz", "gerd"}
		for _, n := range names {
			e.member(n)
		}
		// Searchable profile fields.
		dora, _ := e.svc.Accounts.ByUsername(e.ctx, "dora")
		dora.JobTitle, dora.Department = "Head of 100% Sales", "Sales_Ops"
		if err := e.store.UpdateAccount(e.ctx, dora, "job_title", "department"); err != nil {
			t.Fatal(err)
		}
		emil, _ := e.svc.Accounts.ByUsername(e.ctx, "emil")
		if err := e.svc.Accounts.SetActive(e.ctx, root, emil.ID, false); err != nil {
			t.Fatal(err)
		}

		// Paging through everything, three at a time, as a member: no deactivated emil.
		var all []string
		after := ""
		for i := 0; ; i++ {
			page, err := e.svc.Accounts.List(e.ctx, viewer, social.AccountQuery{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Accounts) > 3 {
				t.Fatalf("page %d has %d accounts", i, len(page.Accounts))
			}
			all = append(all, usernames(page.Accounts)...)
			if page.Next == "" {
				break
			}
			if page.Next != page.Accounts[len(page.Accounts)-1].Username {
				t.Fatalf("next = %q, last = %q", page.Next, page.Accounts[len(page.Accounts)-1].Username)
			}
			after = page.Next
			if i > 10 {
				t.Fatal("paging does not end")
			}
		}
		want := []string{"anna", "bert", "carl", "dora", "fritz", "gerd", "root", "viewer"}
		if !reflect.DeepEqual(all, want) {
			t.Fatalf("paged = %v, want %v", all, want)
		}

		cases := []struct {
			name   string
			viewer *model.Account
			q      social.AccountQuery
			want   []string
			next   string
		}{
			{"default limit", viewer, social.AccountQuery{}, want, ""},
			{"exact page has no next", viewer, social.AccountQuery{Limit: 8}, want, ""},
			{"limit 7 has next", viewer, social.AccountQuery{Limit: 7}, want[:7], "root"},
			{"text username", viewer, social.AccountQuery{Text: "RT"}, []string{"bert"}, ""},
			{"text job title", viewer, social.AccountQuery{Text: "head of"}, []string{"dora"}, ""},
			{"percent literal", viewer, social.AccountQuery{Text: "100%"}, []string{"dora"}, ""},
			{"percent alone matches only literal", viewer, social.AccountQuery{Text: "%"}, []string{"dora"}, ""},
			{"underscore literal", viewer, social.AccountQuery{Text: "s_o"}, []string{"dora"}, ""},
			{"site matches all", viewer, social.AccountQuery{Text: "berlin", Limit: 2}, []string{"anna", "bert"}, "bert"},
			{"no match", viewer, social.AccountQuery{Text: "zzz"}, []string{}, ""},
			{"member cannot include deactivated", viewer, social.AccountQuery{Text: "emil", IncludeDeactivated: true}, []string{}, ""},
			{"admin includes deactivated", root, social.AccountQuery{Text: "emil", IncludeDeactivated: true}, []string{"emil"}, ""},
			{"admin without flag", root, social.AccountQuery{Text: "emil"}, []string{}, ""},
			{"after", viewer, social.AccountQuery{After: "fritz"}, []string{"gerd", "root", "viewer"}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page, err := e.svc.Accounts.List(e.ctx, c.viewer, c.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := usernames(page.Accounts); !reflect.DeepEqual(got, c.want) || page.Next != c.next {
					t.Fatalf("got %v next %q, want %v next %q", got, page.Next, c.want, c.next)
				}
			})
		}
		_, err := e.svc.Accounts.List(e.ctx, viewer, social.AccountQuery{Text: strings.Repeat("x", 101)})
		wantFields(t, err, fields("q", "error.too_long"))
	})
}

func TestAccountsListLimits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.member("viewer")
		rows := make([]model.Account, 0, 120)
		for i := 0; i < 120; i++ {
			a := *viewer
			a.ID = viewer.ID[:20] + strings.Repeat("0", 3) + string(rune('A'+i/26%26)) + string(rune('A'+i%26)) + "Z"
			a.Username = "u" + string(rune('a'+i/26)) + string(rune('a'+i%26))
			a.URI, a.Email = "http://127.0.0.1:8080/users/"+a.Username, a.Username+"@example.com"
			rows = append(rows, a)
		}
		if _, err := e.store.DB().NewInsert().Model(&rows).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			limit, want int
		}{{0, 30}, {-1, 30}, {1, 1}, {100, 100}, {101, 100}, {1000, 100}}
		for _, c := range cases {
			page, err := e.svc.Accounts.List(e.ctx, viewer, social.AccountQuery{Limit: c.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Accounts) != c.want || page.Next != page.Accounts[c.want-1].Username {
				t.Errorf("limit %d: %d accounts next %q, want %d", c.limit, len(page.Accounts), page.Next, c.want)
			}
		}
	})
}

func TestAccountsListRemoteSameUsername(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.member("anna")
		e.member("bert")
		testrig.InsertRemoteAccount(t, e.store, "anna", "127.0.0.1:8081")
		testrig.InsertRemoteAccount(t, e.store, "anna", "127.0.0.1:8082")
		type acct struct{ user, domain string }
		var got []acct
		q := social.AccountQuery{Limit: 1}
		for i := 0; i < 10; i++ {
			page, err := e.svc.Accounts.List(e.ctx, viewer, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Accounts {
				got = append(got, acct{a.Username, a.Domain})
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
		want := []acct{{"anna", ""}, {"anna", "127.0.0.1:8081"}, {"anna", "127.0.0.1:8082"}, {"bert", ""}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("paged one at a time = %v, want %v", got, want)
		}
	})
}

func TestAccountsSetRole(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		gus := e.guest("gus")
		remote := testrig.InsertRemoteAccount(t, e.store, "rem", "127.0.0.1:8081")

		wantErr(t, e.svc.Accounts.SetRole(e.ctx, mia, gus.ID, model.RoleAdmin), social.ErrForbidden)
		wantErr(t, e.svc.Accounts.SetRole(e.ctx, gus, gus.ID, model.RoleAdmin), social.ErrForbidden)
		wantFields(t, e.svc.Accounts.SetRole(e.ctx, root, mia.ID, "owner"), fields("role", "error.role.invalid"))
		wantErr(t, e.svc.Accounts.SetRole(e.ctx, root, "01NOSUCHACCOUNT00000000000", model.RoleMember), social.ErrNotFound)
		wantErr(t, e.svc.Accounts.SetRole(e.ctx, root, remote.ID, model.RoleAdmin), social.ErrForbidden)
		// The last admin cannot step down.
		wantFields(t, e.svc.Accounts.SetRole(e.ctx, root, root.ID, model.RoleMember), fields("role", "error.role.last_admin"))
		if got := e.reload(root).Role; got != model.RoleAdmin {
			t.Fatalf("root role = %s", got)
		}
		if got := e.reload(mia).Role; got != model.RoleMember {
			t.Fatalf("mia role after refused changes = %s", got)
		}

		before := e.reload(mia).UpdatedAt
		if err := e.svc.Accounts.SetRole(e.ctx, root, mia.ID, model.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		got := e.reload(mia)
		if got.Role != model.RoleAdmin || !got.UpdatedAt.After(before) {
			t.Fatalf("mia role %s updated %v (before %v)", got.Role, got.UpdatedAt, before)
		}
		// With two admins one may step down, then the other is the last again.
		if err := e.svc.Accounts.SetRole(e.ctx, root, root.ID, model.RoleMember); err != nil {
			t.Fatal(err)
		}
		wantFields(t, e.svc.Accounts.SetRole(e.ctx, got, mia.ID, model.RoleGuest), fields("role", "error.role.last_admin"))
		if err := e.svc.Accounts.SetRole(e.ctx, got, gus.ID, model.RoleMember); err != nil {
			t.Fatal(err)
		}
		if r := e.reload(gus).Role; r != model.RoleMember {
			t.Fatalf("gus role = %s", r)
		}
		// A deactivated admin does not count as one.
		if err := e.svc.Accounts.SetRole(e.ctx, got, gus.ID, model.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Accounts.SetActive(e.ctx, got, gus.ID, false); err != nil {
			t.Fatal(err)
		}
		wantFields(t, e.svc.Accounts.SetRole(e.ctx, got, mia.ID, model.RoleMember), fields("role", "error.role.last_admin"))
		// Demoting the deactivated admin is allowed: it is not an active admin.
		if err := e.svc.Accounts.SetRole(e.ctx, got, gus.ID, model.RoleMember); err != nil {
			t.Fatal(err)
		}
		if n, err := e.store.CountActiveAdmins(e.ctx); err != nil || n != 1 {
			t.Fatalf("active admins = %d, %v", n, err)
		}
	})
}

func TestAccountsSetActive(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		bob := e.member("bob")
		remote := testrig.InsertRemoteAccount(t, e.store, "rem", "127.0.0.1:8081")

		wantErr(t, e.svc.Accounts.SetActive(e.ctx, bob, mia.ID, false), social.ErrForbidden)
		wantFields(t, e.svc.Accounts.SetActive(e.ctx, root, root.ID, false), fields("account", "error.account.self_deactivate"))
		wantErr(t, e.svc.Accounts.SetActive(e.ctx, root, "01NOSUCHACCOUNT00000000000", false), social.ErrNotFound)
		wantErr(t, e.svc.Accounts.SetActive(e.ctx, root, remote.ID, false), social.ErrForbidden)
		// Reactivating oneself is harmless.
		if err := e.svc.Accounts.SetActive(e.ctx, root, root.ID, true); err != nil {
			t.Fatal(err)
		}

		miaSecret, err := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		miaSecret2, err := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.2")
		if err != nil {
			t.Fatal(err)
		}
		bobSecret, err := e.svc.Auth.Login(e.ctx, "bob", testrig.Password, "ua", "10.0.0.3")
		if err != nil {
			t.Fatal(err)
		}
		miaToken, _, err := e.svc.Tokens.Create(e.ctx, mia.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		_, revokedTok, err := e.svc.Tokens.Create(e.ctx, mia.ID, "old")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Tokens.Revoke(e.ctx, mia.ID, revokedTok.ID); err != nil {
			t.Fatal(err)
		}
		revokedAt := e.tokenByID(mia.ID, revokedTok.ID).RevokedAt

		e.clock.Advance(time.Hour)
		at := e.clock.Now().Add(time.Millisecond) // the instant SetActive reads next
		if err := e.svc.Accounts.SetActive(e.ctx, root, mia.ID, false); err != nil {
			t.Fatal(err)
		}
		got := e.reload(mia)
		if got.Active() || !got.DeactivatedAt.Equal(at) || !got.UpdatedAt.Equal(at) {
			t.Fatalf("deactivated_at = %v updated_at = %v, want %v", got.DeactivatedAt, got.UpdatedAt, at)
		}
		if n := e.count("sessions", "account_id = ?", mia.ID); n != 0 {
			t.Fatalf("mia has %d sessions after deactivation", n)
		}
		for _, s := range []string{miaSecret, miaSecret2} {
			_, _, err := e.svc.Auth.Session(e.ctx, s)
			wantErr(t, err, social.ErrNotFound)
		}
		_, err = e.svc.Tokens.Authenticate(e.ctx, miaToken)
		wantErr(t, err, social.ErrNotFound)
		toks, err := e.svc.Tokens.List(e.ctx, mia.ID)
		if err != nil || len(toks) != 2 {
			t.Fatalf("tokens = %v, %v", toks, err)
		}
		for _, tok := range toks {
			if tok.RevokedAt == nil {
				t.Fatalf("token %s not revoked", tok.Name)
			}
			if tok.ID == revokedTok.ID && !tok.RevokedAt.Equal(*revokedAt) {
				t.Fatalf("earlier revocation rewritten: %v, was %v", tok.RevokedAt, revokedAt)
			}
			if tok.ID != revokedTok.ID && !tok.RevokedAt.Equal(at) {
				t.Fatalf("token revoked at %v, want %v", tok.RevokedAt, at)
			}
		}
		_, err = e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		wantErr(t, err, social.ErrInvalidLogin)
		// Others keep their sessions.
		if _, a, err := e.svc.Auth.Session(e.ctx, bobSecret); err != nil || a.ID != bob.ID {
			t.Fatalf("bob's session: %v %v", a, err)
		}
		// Deactivating twice changes nothing.
		if err := e.svc.Accounts.SetActive(e.ctx, root, mia.ID, false); err != nil {
			t.Fatal(err)
		}
		if again := e.reload(mia); !again.DeactivatedAt.Equal(at) {
			t.Fatalf("second deactivation moved deactivated_at to %v", again.DeactivatedAt)
		}

		if err := e.svc.Accounts.SetActive(e.ctx, root, mia.ID, true); err != nil {
			t.Fatal(err)
		}
		if !e.reload(mia).Active() {
			t.Fatal("mia still deactivated")
		}
		secret, err := e.svc.Auth.Login(e.ctx, "mia", testrig.Password, "ua", "10.0.0.1")
		if err != nil {
			t.Fatalf("login after reactivation: %v", err)
		}
		if _, a, err := e.svc.Auth.Session(e.ctx, secret); err != nil || a.ID != mia.ID {
			t.Fatalf("session after reactivation: %v %v", a, err)
		}
		// Revoked tokens stay revoked.
		_, err = e.svc.Tokens.Authenticate(e.ctx, miaToken)
		wantErr(t, err, social.ErrNotFound)
	})
}
