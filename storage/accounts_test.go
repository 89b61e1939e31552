package storage_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestAccountsCreateAndRead(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		remote := testrig.InsertRemoteAccount(t, s, "mia", "127.0.0.1:8081")

		got, err := s.Account(ctx, mia.ID)
		if err != nil || got.Username != "mia" || got.Domain != "" || !got.CreatedAt.Equal(t0) || got.ManagerID != nil || got.DeactivatedAt != nil {
			t.Fatalf("account %+v, %v", got, err)
		}
		byName, err := s.LocalAccountByUsername(ctx, "mia")
		if err != nil || byName.ID != mia.ID {
			t.Fatalf("local by username = %v, %v (remote is %s)", byName, err, remote.ID)
		}
		_, err = s.LocalAccountByUsername(ctx, "MIA")
		wantErr(t, err, storage.ErrNotFound)
		_, err = s.Account(ctx, "nope")
		wantErr(t, err, storage.ErrNotFound)

		conflicts := []struct {
			name string
			a    model.Account
		}{
			{"same username and domain", model.Account{Username: "mia", URI: "http://x/other"}},
			{"same uri", model.Account{Username: "other", URI: mia.URI}},
			{"same local email", model.Account{Username: "other", URI: "http://x/o", Email: "mia@example.com"}},
			{"same id", model.Account{ID: mia.ID, Username: "other", URI: "http://x/o2"}},
		}
		for _, c := range conflicts {
			a := c.a
			if a.ID == "" {
				a.ID = newID(t0)
			}
			a.Role, a.CreatedAt, a.UpdatedAt = model.RoleMember, t0, t0
			// Primary key clashes are conflicts too.
			if err := s.CreateAccount(ctx, &a); !errors.Is(err, storage.ErrConflict) {
				t.Fatalf("%s: want ErrConflict, got %v", c.name, err)
			}
		}
		// Remote accounts may share an email with a local one; empty emails never clash.
		r2 := model.Account{ID: newID(t0), Username: "x", Domain: "127.0.0.1:8082", URI: "http://127.0.0.1:8082/users/x",
			Email: "mia@example.com", Role: model.RoleMember, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateAccount(ctx, &r2); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"e1", "e2"} {
			a := model.Account{ID: newID(t0), Username: n, URI: "http://127.0.0.1:8080/users/" + n, Role: model.RoleMember, CreatedAt: t0, UpdatedAt: t0}
			if err := s.CreateAccount(ctx, &a); err != nil {
				t.Fatalf("empty email %s: %v", n, err)
			}
		}

		byIDs, err := s.AccountsByIDs(ctx, []string{mia.ID, remote.ID, "nope", mia.ID})
		if err != nil || len(byIDs) != 2 || byIDs[mia.ID].Domain != "" || byIDs[remote.ID].Domain != "127.0.0.1:8081" {
			t.Fatalf("by ids = %v, %v", byIDs, err)
		}
		if m, err := s.AccountsByIDs(ctx, nil); err != nil || len(m) != 0 {
			t.Fatalf("no ids: %v %v", m, err)
		}
		secret := &model.Account{ID: newID(t0), Username: "sam", URI: "http://127.0.0.1:8080/users/sam",
			Role: model.RoleMember, Email: "sam@example.com", PasswordHash: "$argon2id$x", PublicKeyPEM: "pub",
			PrivateKeyPEM: "priv", DisplayName: "Sam", CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateAccount(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if full, err := s.AccountsByIDs(ctx, []string{secret.ID}); err != nil || full[secret.ID].PrivateKeyPEM != "priv" {
			t.Fatalf("full account %+v, %v", full[secret.ID], err)
		}
		profiles, err := s.ProfilesByIDs(ctx, []string{secret.ID, mia.ID})
		p := profiles[secret.ID]
		if err != nil || len(profiles) != 2 || p == nil || p.DisplayName != "Sam" || p.Email != "sam@example.com" ||
			p.PasswordHash != "" || p.PublicKeyPEM != "" || p.PrivateKeyPEM != "" {
			t.Fatalf("profiles = %+v, %v", p, err)
		}
		byNames, err := s.LocalAccountsByUsernames(ctx, []string{"mia", "x", "nobody"})
		if err != nil || len(byNames) != 1 || byNames["mia"].ID != mia.ID {
			t.Fatalf("by usernames = %v, %v", byNames, err)
		}
		if m, err := s.LocalAccountsByUsernames(ctx, nil); err != nil || len(m) != 0 {
			t.Fatalf("no names: %v %v", m, err)
		}
	})
}

func TestUpdateAccount(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		local(t, s, "bob")
		mia.DisplayName, mia.JobTitle = "Mia M.", "not written"
		if err := s.UpdateAccount(ctx, mia, "display_name"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Account(ctx, mia.ID)
		if got.DisplayName != "Mia M." || got.JobTitle != "" {
			t.Fatalf("only the named columns are written: %q %q", got.DisplayName, got.JobTitle)
		}
		mia.Email = "bob@example.com"
		wantErr(t, s.UpdateAccount(ctx, mia, "email"), storage.ErrConflict)
		if got, _ := s.Account(ctx, mia.ID); got.Email != "mia@example.com" {
			t.Fatalf("email = %q", got.Email)
		}
	})
}

func TestCountActiveAdmins(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		want := func(n int) {
			t.Helper()
			got, err := s.CountActiveAdmins(ctx)
			if err != nil || got != n {
				t.Fatalf("admins = %d, %v; want %d", got, err, n)
			}
		}
		want(0)
		a := local(t, s, "a")
		b := local(t, s, "b")
		local(t, s, "c")
		r := testrig.InsertRemoteAccount(t, s, "r", "127.0.0.1:8081")
		for _, acct := range []*model.Account{a, b, r} {
			acct.Role = model.RoleAdmin
			if err := s.UpdateAccount(ctx, acct, "role"); err != nil {
				t.Fatal(err)
			}
		}
		want(2)
		if err := s.DeactivateAccount(ctx, b.ID, t0); err != nil {
			t.Fatal(err)
		}
		want(1)
	})
}

func TestListAccounts(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		for _, n := range []string{"bea", "al", "cy", "dee"} {
			local(t, s, n)
		}
		testrig.InsertRemoteAccount(t, s, "bea", "127.0.0.1:8081")
		testrig.InsertRemoteAccount(t, s, "bea", "127.0.0.1:8082")
		cy, _ := s.LocalAccountByUsername(ctx, "cy")
		cy.Department, cy.Site = `Back\Office`, "Lisbon"
		if err := s.UpdateAccount(ctx, cy, "department", "site"); err != nil {
			t.Fatal(err)
		}
		dee, _ := s.LocalAccountByUsername(ctx, "dee")
		if err := s.DeactivateAccount(ctx, dee.ID, t0); err != nil {
			t.Fatal(err)
		}
		type row struct{ user, domain string }
		cases := []struct {
			name string
			f    storage.AccountFilter
			want []row
		}{
			{"all active", storage.AccountFilter{Limit: 10},
				[]row{{"al", ""}, {"bea", ""}, {"bea", "127.0.0.1:8081"}, {"bea", "127.0.0.1:8082"}, {"cy", ""}}},
			{"with deactivated", storage.AccountFilter{Limit: 10, IncludeDeactivated: true},
				[]row{{"al", ""}, {"bea", ""}, {"bea", "127.0.0.1:8081"}, {"bea", "127.0.0.1:8082"}, {"cy", ""}, {"dee", ""}}},
			{"limit", storage.AccountFilter{Limit: 2}, []row{{"al", ""}, {"bea", ""}}},
			{"after local bea", storage.AccountFilter{Limit: 10, After: "bea"},
				[]row{{"bea", "127.0.0.1:8081"}, {"bea", "127.0.0.1:8082"}, {"cy", ""}}},
			{"after remote bea", storage.AccountFilter{Limit: 10, After: "bea", AfterDomain: "127.0.0.1:8081"},
				[]row{{"bea", "127.0.0.1:8082"}, {"cy", ""}}},
			{"text is case-insensitive", storage.AccountFilter{Limit: 10, Text: "LISB"}, []row{{"cy", ""}}},
			{"backslash literal", storage.AccountFilter{Limit: 10, Text: `k\o`}, []row{{"cy", ""}}},
			{"underscore literal", storage.AccountFilter{Limit: 10, Text: "_"}, []row{}},
			{"blank text is no filter", storage.AccountFilter{Limit: 1, Text: "  "}, []row{{"al", ""}}},
			{"text and after", storage.AccountFilter{Limit: 10, Text: "bea", After: "bea", AfterDomain: "127.0.0.1:8081"},
				[]row{{"bea", "127.0.0.1:8082"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				list, err := s.ListAccounts(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				got := []row{}
				for _, a := range list {
					got = append(got, row{a.Username, a.Domain})
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
	})
}

func TestReportsAndSkills(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		boss := local(t, s, "boss")
		var reports []*model.Account
		for _, n := range []string{"zed", "amy", "kim"} {
			a := local(t, s, n)
			a.ManagerID = &boss.ID
			if n == "kim" {
				a.DisplayName = "Aaron" // ordered by display name first
			}
			if err := s.UpdateAccount(ctx, a, "manager_id", "display_name"); err != nil {
				t.Fatal(err)
			}
			reports = append(reports, a)
		}
		if err := s.DeactivateAccount(ctx, reports[1].ID, t0); err != nil {
			t.Fatal(err)
		}
		list, err := s.DirectReports(ctx, boss.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range list {
			names = append(names, a.Username)
		}
		if !reflect.DeepEqual(names, []string{"kim", "zed"}) {
			t.Fatalf("reports = %v", names)
		}

		err = s.InTx(ctx, func(tx *storage.Store) error { return tx.ReplaceSkills(ctx, boss.ID, []string{"sql", "go"}) })
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Skills(ctx, boss.ID); !reflect.DeepEqual(got, []string{"go", "sql"}) {
			t.Fatalf("skills = %v", got)
		}
		err = s.InTx(ctx, func(tx *storage.Store) error { return tx.ReplaceSkills(ctx, boss.ID, []string{"rust"}) })
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Skills(ctx, boss.ID); !reflect.DeepEqual(got, []string{"rust"}) {
			t.Fatalf("skills = %v", got)
		}
		if err := s.ReplaceSkills(ctx, boss.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Skills(ctx, boss.ID); err != nil || len(got) != 0 {
			t.Fatalf("skills = %v, %v", got, err)
		}
		// A duplicate fails and, inside a transaction, leaves the old skills.
		_ = s.ReplaceSkills(ctx, boss.ID, []string{"go"})
		err = s.InTx(ctx, func(tx *storage.Store) error { return tx.ReplaceSkills(ctx, boss.ID, []string{"a", "a"}) })
		if err == nil {
			t.Fatal("duplicate skills accepted")
		}
		if got, _ := s.Skills(ctx, boss.ID); !reflect.DeepEqual(got, []string{"go"}) {
			t.Fatalf("skills after failed replace = %v", got)
		}
	})
}

func TestSessionsStore(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		sess := &model.Session{ID: "h1", AccountID: mia.ID, CSRFToken: "csrf", CreatedAt: t0, LastSeenAt: t0,
			ExpiresAt: t0.Add(time.Hour), UserAgent: "ua", IP: "10.0.0.1"}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, "h1")
		if err != nil || got.AccountID != mia.ID || got.CSRFToken != "csrf" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || got.UserAgent != "ua" {
			t.Fatalf("session %+v, %v", got, err)
		}
		seen, exp := t0.Add(time.Minute+time.Microsecond), t0.Add(2*time.Hour+time.Microsecond)
		if err := s.TouchSession(ctx, "h1", seen, exp); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Session(ctx, "h1")
		if !got.LastSeenAt.Equal(seen) || !got.ExpiresAt.Equal(exp) || !got.CreatedAt.Equal(t0) {
			t.Fatalf("touched %+v", got)
		}
		// Microsecond precision survives, so the expiry boundary is exact.
		if n, err := s.DeleteExpiredSessions(ctx, exp); err != nil || n != 0 {
			t.Fatalf("at expiry deleted %d, %v", n, err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, exp.Add(time.Microsecond)); err != nil || n != 1 {
			t.Fatalf("after expiry deleted %d, %v", n, err)
		}
		_, err = s.Session(ctx, "h1")
		wantErr(t, err, storage.ErrNotFound)
		if err := s.DeleteSession(ctx, "h1"); err != nil {
			t.Fatalf("deleting a missing session: %v", err)
		}
	})
}

func TestTokensStore(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		mia := local(t, s, "mia")
		bob := local(t, s, "bob")
		var made []*model.Token
		for i, a := range []*model.Account{mia, mia, bob} {
			tok := &model.Token{ID: newID(t0), AccountID: a.ID, Name: "t", Hash: "hash" + string(rune('0'+i)), CreatedAt: t0}
			if err := s.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			made = append(made, tok)
		}
		dup := &model.Token{ID: newID(t0), AccountID: mia.ID, Name: "dup", Hash: "hash0", CreatedAt: t0}
		if err := s.CreateToken(ctx, dup); err == nil {
			t.Fatal("duplicate hash accepted")
		}
		list, err := s.TokensOf(ctx, mia.ID)
		if err != nil || len(list) != 2 || list[0].ID != made[1].ID || list[1].ID != made[0].ID {
			t.Fatalf("tokens of mia = %v, %v", list, err)
		}
		used := t0.Add(time.Minute)
		if err := s.MarkTokenUsed(ctx, made[0].ID, used); err != nil {
			t.Fatal(err)
		}
		got, err := s.TokenByHash(ctx, "hash0")
		if err != nil || got.ID != made[0].ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) {
			t.Fatalf("token %+v, %v", got, err)
		}
		if got.Account == nil || got.Account.ID != mia.ID || got.Account.Username != "mia" {
			t.Fatalf("token's account %+v", got.Account)
		}
		wantErr(t, s.RevokeToken(ctx, bob.ID, made[0].ID, used), storage.ErrNotFound)
		if err := s.RevokeToken(ctx, mia.ID, made[0].ID, used); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.RevokeToken(ctx, mia.ID, made[0].ID, used), storage.ErrNotFound)
		_, err = s.TokenByHash(ctx, "hash0")
		wantErr(t, err, storage.ErrNotFound)
		if _, err := s.TokenByHash(ctx, "hash1"); err != nil {
			t.Fatal(err)
		}
	})
}
