package storage_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// dirPerson stores an account with directory fields: local when domain is "".
func dirPerson(t *testing.T, s *storage.Store, username, domain, site, dept, title string, role model.Role, skills ...string) *model.Account {
	t.Helper()
	var a *model.Account
	if domain == "" {
		a = local(t, s, username)
	} else {
		a = testrig.InsertRemoteAccount(t, s, username, domain)
	}
	a.Site, a.Department, a.JobTitle, a.Role = site, dept, title, role
	if err := s.UpdateAccount(ctx, a, "site", "department", "job_title", "role"); err != nil {
		t.Fatal(err)
	}
	if len(skills) > 0 {
		if err := s.ReplaceSkills(ctx, a.ID, skills); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func handles(list []*model.Account) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, a.Handle())
	}
	return out
}

func TestListDirectory(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		const sib, partner = "127.0.0.1:9001", "127.0.0.1:9002"
		dirPerson(t, s, "anna", "", "Berlin", "Research", "Chemist", model.RoleMember, "go", "chemistry")
		dirPerson(t, s, "boss", "", "Berlin", "Board", "Chief", model.RoleAdmin, "go")
		dirPerson(t, s, "gus", "", "Berlin", "Research", "Visitor", model.RoleGuest, "go")
		gone := dirPerson(t, s, "gone", "", "Berlin", "Research", "Chemist", model.RoleMember)
		if err := s.DeactivateAccount(ctx, gone.ID, t0); err != nil {
			t.Fatal(err)
		}
		dirPerson(t, s, "anna", sib, "Munich", "Research", "Physicist", model.RoleMember, "go")
		dirPerson(t, s, "carl", sib, "Munich", "Sales", "Seller", model.RoleMember)
		dirPerson(t, s, "rita", sib, "Munich", "Sales", "Guest seller", model.RoleGuest)
		left := dirPerson(t, s, "left", sib, "Munich", "Sales", "Seller", model.RoleMember)
		dirPerson(t, s, "pete", partner, "Consult", "Research", "Consultant", model.RoleMember, "go")
		if err := s.Unlist(ctx, left.ID); err != nil {
			t.Fatal(err)
		}
		sibs := []string{sib}

		cases := []struct {
			name string
			f    storage.DirectoryFilter
			want []string
		}{
			{"everyone", storage.DirectoryFilter{}, []string{"@anna", "@anna@" + sib, "@boss", "@carl@" + sib}},
			{"site", storage.DirectoryFilter{Site: "Munich"}, []string{"@anna@" + sib, "@carl@" + sib}},
			{"department", storage.DirectoryFilter{Department: "Research"}, []string{"@anna", "@anna@" + sib}},
			{"skill", storage.DirectoryFilter{Skill: "GO"}, []string{"@anna", "@anna@" + sib, "@boss"}},
			{"text in title", storage.DirectoryFilter{Text: "CHEM"}, []string{"@anna"}},
			{"text in username", storage.DirectoryFilter{Text: "car"}, []string{"@carl@" + sib}},
			{"text wildcard is literal", storage.DirectoryFilter{Text: "%"}, []string{}},
			{"combined", storage.DirectoryFilter{Department: "Research", Skill: "go", Text: "phys"}, []string{"@anna@" + sib}},
			{"after local", storage.DirectoryFilter{After: "anna"}, []string{"@anna@" + sib, "@boss", "@carl@" + sib}},
			{"after remote", storage.DirectoryFilter{After: "anna", AfterDomain: sib}, []string{"@boss", "@carl@" + sib}},
			{"limit", storage.DirectoryFilter{Limit: 2}, []string{"@anna", "@anna@" + sib}},
			{"admins with deactivated", storage.DirectoryFilter{Department: "Research", IncludeDeactivated: true},
				[]string{"@anna", "@anna@" + sib, "@gone"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.f
				f.Domains = sibs
				if f.Limit == 0 {
					f.Limit = 50
				}
				list, err := s.ListDirectory(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if got := handles(list); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
				for _, a := range list {
					if a.PrivateKeyPEM != "" || a.PasswordHash != "" {
						t.Errorf("%s: secrets read for the directory", a.Handle())
					}
				}
			})
		}

		// Without siblings only local people count: a former sibling's are hidden.
		list, err := s.ListDirectory(ctx, storage.DirectoryFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := handles(list), []string{"@anna", "@boss"}; !reflect.DeepEqual(got, want) {
			t.Errorf("no siblings: got %v, want %v", got, want)
		}

		edges, err := s.OrgEdges(ctx, sibs)
		if err != nil || len(edges) != 4 {
			t.Fatalf("org edges %+v, %v", edges, err)
		}
		for _, e := range edges {
			if e.Username == "carl" && (e.JobTitle != "Seller" || e.Domain != sib) {
				t.Errorf("carl's edge %+v", e)
			}
		}
		sites, err := s.DirectoryValues(ctx, sibs, "site", 10)
		if err != nil || !reflect.DeepEqual(sites, []string{"Berlin", "Munich"}) {
			t.Errorf("sites %v, %v", sites, err)
		}
		depts, err := s.DirectoryValues(ctx, sibs, "department", 10)
		if err != nil || !reflect.DeepEqual(depts, []string{"Board", "Research", "Sales"}) {
			t.Errorf("departments %v, %v", depts, err)
		}
		if _, err := s.DirectoryValues(ctx, sibs, "email", 10); err == nil {
			t.Error("values of a column that is no filter")
		}
		n, err := s.CountLocalDirectory(ctx)
		if err != nil || n != 2 {
			t.Errorf("local directory counts %d, %v; want 2", n, err)
		}
		locals, err := s.LocalDirectory(ctx, "", 10)
		if err != nil || !reflect.DeepEqual(handles(locals), []string{"@anna", "@boss"}) {
			t.Errorf("local directory %v, %v", handles(locals), err)
		}
		locals, err = s.LocalDirectory(ctx, "anna", 10)
		if err != nil || !reflect.DeepEqual(handles(locals), []string{"@boss"}) {
			t.Errorf("local directory after anna %v, %v", handles(locals), err)
		}
	})
}

func TestDirectorySeenAndUnlisted(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, s *storage.Store) {
		const sib, other = "127.0.0.1:9001", "127.0.0.1:9003"
		a := dirPerson(t, s, "anna", sib, "", "", "", model.RoleMember)
		b := dirPerson(t, s, "bert", sib, "", "", "", model.RoleMember)
		c := dirPerson(t, s, "cleo", other, "", "", "", model.RoleMember)
		me := dirPerson(t, s, "me", "", "", "", "", model.RoleMember)
		at := t0.Add(time.Hour)
		if err := s.MarkDirectorySeen(ctx, []string{a.ID, me.ID}, at); err != nil {
			t.Fatal(err)
		}
		n, err := s.UnlistUnseen(ctx, sib, at)
		if err != nil || n != 1 {
			t.Fatalf("unlisted %d, %v; want bert only", n, err)
		}
		for _, tc := range []struct {
			acct *model.Account
			want bool
		}{{a, true}, {b, false}, {c, true}, {me, true}} {
			if got, err := s.Listed(ctx, tc.acct.ID); err != nil || got != tc.want {
				t.Errorf("%s listed %v, %v; want %v", tc.acct.Handle(), got, err, tc.want)
			}
		}
		if got, _ := s.Account(ctx, a.ID); got.FetchedAt == nil || !got.FetchedAt.Equal(at) {
			t.Errorf("seen account fetched at %v, want %v", got.FetchedAt, at)
		}
		// Seen again, bert is back.
		if err := s.MarkDirectorySeen(ctx, []string{b.ID}, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Listed(ctx, b.ID); !got {
			t.Error("bert not listed again")
		}
		if _, err := s.UnlistUnseen(ctx, "", at); err == nil {
			t.Error("unlisting local accounts")
		}

		// Managers: only remote accounts are set this way.
		if err := s.SetManager(ctx, a.ID, &c.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetManager(ctx, me.ID, &c.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Account(ctx, a.ID); got.ManagerID == nil || *got.ManagerID != c.ID {
			t.Errorf("anna's manager %v", got.ManagerID)
		}
		if got, _ := s.Account(ctx, me.ID); got.ManagerID != nil {
			t.Errorf("a local account's manager was set: %v", *got.ManagerID)
		}
		reports, err := s.DirectoryReports(ctx, []string{sib, other}, c.ID, 10)
		if err != nil || !reflect.DeepEqual(handles(reports), []string{"@anna@" + sib}) {
			t.Errorf("reports of cleo %v, %v", handles(reports), err)
		}
		in, err := s.InDirectory(ctx, []string{sib}, []string{a.ID, c.ID, me.ID})
		if err != nil || !in[a.ID] || in[c.ID] || !in[me.ID] {
			t.Errorf("in directory %v, %v", in, err)
		}
		skills, err := s.SkillsOf(ctx, []string{a.ID, b.ID})
		if err != nil || len(skills) != 0 {
			t.Errorf("skills %v, %v", skills, err)
		}
	})
}
