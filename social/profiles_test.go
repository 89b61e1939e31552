package social_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestProfilesUpdateValidation(t *testing.T) {
	valid := social.ProfileInput{
		DisplayName: "Mia M.", JobTitle: "Engineer", Department: "R&D", Site: "Berlin",
		Phone: "+49 (30) 123-456/7.8", Email: "mia@example.com", About: "Hello",
	}
	with := func(f func(*social.ProfileInput)) social.ProfileInput {
		in := valid
		f(&in)
		return in
	}
	long := strings.Repeat("ö", 101)
	cases := []struct {
		name string
		in   social.ProfileInput
		want map[string]string
	}{
		{"valid", valid, nil},
		{"fields at 100 runes", with(func(in *social.ProfileInput) {
			in.DisplayName, in.JobTitle, in.Department, in.Site = long[2:], long[2:], long[2:], long[2:]
		}), nil},
		{"display name long", with(func(in *social.ProfileInput) { in.DisplayName = long }), fields("display_name", "error.too_long")},
		{"job title long", with(func(in *social.ProfileInput) { in.JobTitle = long }), fields("job_title", "error.too_long")},
		{"department long", with(func(in *social.ProfileInput) { in.Department = long }), fields("department", "error.too_long")},
		{"site long", with(func(in *social.ProfileInput) { in.Site = long }), fields("site", "error.too_long")},
		{"phone empty", with(func(in *social.ProfileInput) { in.Phone = "" }), nil},
		{"phone letters", with(func(in *social.ProfileInput) { in.Phone = "call me" }), fields("phone", "error.phone.invalid")},
		{"phone 40", with(func(in *social.ProfileInput) { in.Phone = strings.Repeat("1", 40) }), nil},
		{"phone 41", with(func(in *social.ProfileInput) { in.Phone = strings.Repeat("1", 41) }), fields("phone", "error.phone.invalid")},
		{"phone markup", with(func(in *social.ProfileInput) { in.Phone = "<b>1</b>" }), fields("phone", "error.phone.invalid")},
		{"email bad", with(func(in *social.ProfileInput) { in.Email = "mia" }), fields("email", "error.email.invalid")},
		{"email empty", with(func(in *social.ProfileInput) { in.Email = "" }), fields("email", "error.email.invalid")},
		{"about 5000", with(func(in *social.ProfileInput) { in.About = strings.Repeat("ä", 5000) }), nil},
		{"about 5001", with(func(in *social.ProfileInput) { in.About = strings.Repeat("ä", 5001) }), fields("about", "error.too_long")},
		{"skill 40 runes", with(func(in *social.ProfileInput) { in.Skills = strings.Repeat("ß", 40) }), nil},
		{"skill 41 runes", with(func(in *social.ProfileInput) { in.Skills = "go, " + strings.Repeat("ß", 41) }), fields("skills", "error.skills.too_long")},
		{"30 skills", with(func(in *social.ProfileInput) { in.Skills = numbered("s", 30) }), nil},
		{"31 skills", with(func(in *social.ProfileInput) { in.Skills = numbered("s", 31) }), fields("skills", "error.skills.too_many")},
		{"31 with duplicates is 30", with(func(in *social.ProfileInput) { in.Skills = numbered("s", 30) + ", SA0" }), nil},
		{"manager unknown", with(func(in *social.ProfileInput) { in.Manager = "nobody" }), fields("manager", "error.manager.unknown")},
		{"manager deactivated", with(func(in *social.ProfileInput) { in.Manager = "gone" }), fields("manager", "error.manager.unknown")},
		{"manager remote username", with(func(in *social.ProfileInput) { in.Manager = "remote" }), fields("manager", "error.manager.unknown")},
		{"manager self", with(func(in *social.ProfileInput) { in.Manager = "@MIA" }), fields("manager", "error.manager.cycle")},
		{"manager cycle", with(func(in *social.ProfileInput) { in.Manager = "report" }), fields("manager", "error.manager.cycle")},
		{"manager indirect cycle", with(func(in *social.ProfileInput) { in.Manager = "subreport" }), fields("manager", "error.manager.cycle")},
		{"email taken", with(func(in *social.ProfileInput) { in.Email = "BOSS@example.com" }), fields("email", "error.email.taken")},
		{"several", with(func(in *social.ProfileInput) { in.DisplayName, in.Phone, in.Email = long, "x", "y" }),
			fields("display_name", "error.too_long", "phone", "error.phone.invalid", "email", "error.email.invalid")},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		mia := e.member("mia")
		e.member("boss")
		report := e.member("report")
		subreport := e.member("subreport")
		gone := e.member("gone")
		if err := e.svc.Accounts.SetActive(e.ctx, root, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		e.insertRemote("remote")
		e.setManager(report, "mia")
		e.setManager(subreport, "report")
		// A known state to compare refused updates against.
		base := social.ProfileInput{DisplayName: "Base", Email: "mia@example.com", Skills: "base", Manager: "boss", About: "base"}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := e.svc.Profiles.Update(e.ctx, mia, base); err != nil {
					t.Fatal(err)
				}
				before := e.reload(mia)
				err := e.svc.Profiles.Update(e.ctx, mia, c.in)
				wantFields(t, err, c.want)
				after := e.reload(mia)
				skills, _ := e.store.Skills(e.ctx, mia.ID)
				if c.want != nil {
					if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(skills, []string{"base"}) {
						t.Fatalf("refused update changed the profile:\n%+v\n%+v\nskills %v", before, after, skills)
					}
					if mia.DisplayName != "Base" {
						t.Fatalf("refused update changed the caller's account: %q", mia.DisplayName)
					}
					return
				}
				if after.DisplayName != strings.TrimSpace(c.in.DisplayName) || after.Phone != c.in.Phone || after.Email != c.in.Email {
					t.Fatalf("stored %q %q %q", after.DisplayName, after.Phone, after.Email)
				}
			})
		}
	})
}

func numbered(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = prefix + strings.Repeat("x", i%3) + string(rune('a'+i/3)) + string(rune('0'+i%10))
	}
	return strings.Join(parts, ",")
}

func TestProfilesUpdateStores(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		boss := e.member("boss")
		in := social.ProfileInput{
			DisplayName: "  Mia Muster ", JobTitle: " Engineer ", Department: "R&D", Site: "Lisbon",
			Phone: " +351 1 ", Email: " Mia@Example.com ", Manager: " @Boss ",
			Skills: " Go ,  kubernetes   operators, go, ,PostgreSQL,GO ",
			About:  "I *like* **Go**.\n\nSee [docs](https://example.com/docs).",
		}
		before := mia.UpdatedAt
		if err := e.svc.Profiles.Update(e.ctx, mia, in); err != nil {
			t.Fatal(err)
		}
		got := e.reload(mia)
		checks := []struct{ name, got, want string }{
			{"display name", got.DisplayName, "Mia Muster"},
			{"job title", got.JobTitle, "Engineer"},
			{"department", got.Department, "R&D"},
			{"site", got.Site, "Lisbon"},
			{"phone", got.Phone, "+351 1"},
			{"email", got.Email, "mia@example.com"},
			{"about source", got.AboutSource, in.About},
			{"about html", got.AboutHTML, "<p>I <em>like</em> <strong>Go</strong>.</p>\n<p>See <a href=\"https://example.com/docs\" rel=\"nofollow noopener\" target=\"_blank\">docs</a>.</p>\n"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		if got.ManagerID == nil || *got.ManagerID != boss.ID {
			t.Errorf("manager = %v, want %s", got.ManagerID, boss.ID)
		}
		if !got.UpdatedAt.After(before) {
			t.Errorf("updated_at not moved: %v", got.UpdatedAt)
		}
		wantSkills := []string{"go", "kubernetes operators", "postgresql"}
		if !reflect.DeepEqual(mia.Skills, wantSkills) {
			t.Errorf("returned skills = %q, want %q", mia.Skills, wantSkills)
		}
		stored, _ := e.store.Skills(e.ctx, mia.ID)
		if !reflect.DeepEqual(stored, wantSkills) {
			t.Errorf("stored skills = %q, want %q", stored, wantSkills)
		}
		if mia.DisplayName != "Mia Muster" {
			t.Errorf("caller's account not updated: %q", mia.DisplayName)
		}

		// Clearing manager and skills.
		if err := e.svc.Profiles.Update(e.ctx, mia, social.ProfileInput{Email: "mia@example.com"}); err != nil {
			t.Fatal(err)
		}
		got = e.reload(mia)
		stored, _ = e.store.Skills(e.ctx, mia.ID)
		if got.ManagerID != nil || len(stored) != 0 || got.DisplayName != "" || got.AboutHTML != "" {
			t.Fatalf("not cleared: manager %v skills %v name %q about %q", got.ManagerID, stored, got.DisplayName, got.AboutHTML)
		}
	})
}

func TestProfilesAboutSanitized(t *testing.T) {
	cases := []struct {
		name, about string
		banned      []string
		kept        string
	}{
		{"script tag", "hi <script>alert(1)</script> there", []string{"<script", "</script"}, "hi"},
		{"img onerror", `<img src=x onerror="alert(1)">`, []string{"onerror", "<img"}, ""},
		{"javascript link", "[click](javascript:alert(1))", []string{`="javascript`, "<a"}, "click"},
		{"javascript link upper case", "[click](JaVaScRiPt:alert(1))", []string{`="javascript`, "<a"}, "click"},
		{"javascript autolink", "<javascript:alert(1)>", []string{`="javascript`, "<a"}, ""},
		{"html anchor", `<a href="javascript:alert(1)">x</a>`, []string{`="javascript`, "<a"}, "x"},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", []string{`="data:`, "<a"}, "x"},
		{"iframe", "<iframe src=\"https://evil.example\"></iframe>", []string{"<iframe", "evil"}, ""},
		{"style attribute", "<p style=\"background:url(x)\">x</p>", []string{"style"}, ""},
		{"markdown image with js", "![a](javascript:alert(1))", []string{`="javascript`}, ""},
		{"html in link text", "[<b onmouseover=alert(1)>x</b>](https://example.com)", []string{"onmouseover"}, "https://example.com"},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := e.svc.Profiles.Update(e.ctx, mia, social.ProfileInput{Email: "mia@example.com", About: c.about}); err != nil {
					t.Fatal(err)
				}
				got := e.reload(mia)
				if got.AboutSource != c.about {
					t.Fatalf("source = %q", got.AboutSource)
				}
				for _, b := range c.banned {
					if strings.Contains(strings.ToLower(got.AboutHTML), b) {
						t.Fatalf("about html %q contains %q", got.AboutHTML, b)
					}
				}
				if !strings.Contains(got.AboutHTML, c.kept) {
					t.Fatalf("about html %q lost %q", got.AboutHTML, c.kept)
				}
			})
		}
	})
}

func TestProfilesGet(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		boss := e.member("boss")
		mia := e.member("mia")
		zed := e.member("zed")
		amy := e.member("amy")
		gone := e.member("gone")
		e.setManager(mia, "boss")
		e.setManager(zed, "mia")
		e.setManager(amy, "mia")
		e.setManager(gone, "mia")
		if err := e.svc.Profiles.Update(e.ctx, mia, social.ProfileInput{Email: "mia@example.com", Manager: "boss", Skills: "Go, SQL"}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Accounts.SetActive(e.ctx, root, gone.ID, false); err != nil {
			t.Fatal(err)
		}
		e.follow(zed, mia)
		e.follow(amy, mia)
		e.follow(mia, boss)

		prof, err := e.svc.Profiles.Get(e.ctx, zed, "MIA")
		if err != nil {
			t.Fatal(err)
		}
		if prof.Account.ID != mia.ID || prof.Manager == nil || prof.Manager.ID != boss.ID {
			t.Fatalf("account %v manager %v", prof.Account.Username, prof.Manager)
		}
		// Reports are ordered by display name (here the username) and exclude the deactivated.
		if got := usernames(prof.Reports); !reflect.DeepEqual(got, []string{"amy", "zed"}) {
			t.Fatalf("reports = %v", got)
		}
		if !reflect.DeepEqual(prof.Skills, []string{"go", "sql"}) || !reflect.DeepEqual(prof.Account.Skills, prof.Skills) {
			t.Fatalf("skills = %v / %v", prof.Skills, prof.Account.Skills)
		}
		if prof.Followers != 2 || prof.Following != 1 || !prof.FollowedByViewer || prof.IsViewer {
			t.Fatalf("followers %d following %d followed %v is viewer %v", prof.Followers, prof.Following, prof.FollowedByViewer, prof.IsViewer)
		}
		own, err := e.svc.Profiles.Get(e.ctx, mia, "mia")
		if err != nil || !own.IsViewer || own.FollowedByViewer {
			t.Fatalf("own profile: %+v, %v", own, err)
		}
		other, err := e.svc.Profiles.Get(e.ctx, boss, "mia")
		if err != nil || other.FollowedByViewer || other.IsViewer {
			t.Fatalf("boss's view: %+v, %v", other, err)
		}
		bossProf, err := e.svc.Profiles.Get(e.ctx, mia, "boss")
		if err != nil || bossProf.Manager != nil || bossProf.Followers != 1 || bossProf.Following != 0 || !bossProf.FollowedByViewer {
			t.Fatalf("boss profile: %+v, %v", bossProf, err)
		}

		// Deactivated accounts: hidden from members, shown to admins; a deactivated
		// manager is not shown.
		_, err = e.svc.Profiles.Get(e.ctx, mia, "gone")
		wantErr(t, err, social.ErrNotFound)
		if p, err := e.svc.Profiles.Get(e.ctx, root, "gone"); err != nil || p.Account.ID != gone.ID {
			t.Fatalf("admin view of deactivated: %v, %v", p, err)
		}
		if err := e.svc.Accounts.SetActive(e.ctx, root, boss.ID, false); err != nil {
			t.Fatal(err)
		}
		prof, err = e.svc.Profiles.Get(e.ctx, zed, "mia")
		if err != nil || prof.Manager != nil {
			t.Fatalf("deactivated manager shown: %+v, %v", prof.Manager, err)
		}
		_, err = e.svc.Profiles.Get(e.ctx, zed, "nobody")
		wantErr(t, err, social.ErrNotFound)
		e.insertRemote("remote")
		_, err = e.svc.Profiles.Get(e.ctx, zed, "remote")
		wantErr(t, err, social.ErrNotFound)
	})
}

// setManager makes the account's manager the named user, directly in the store.
func (e *env) setManager(a *model.Account, manager string) {
	e.t.Helper()
	m, err := e.svc.Accounts.ByUsername(e.ctx, manager)
	if err != nil {
		e.t.Fatal(err)
	}
	a.ManagerID = &m.ID
	if err := e.store.UpdateAccount(e.ctx, a, "manager_id"); err != nil {
		e.t.Fatal(err)
	}
}
