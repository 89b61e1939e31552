package social_test

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// search runs a search and fails the test on error.
func (e *env) search(viewer *model.Account, kind social.SearchKind, text string) *social.SearchResults {
	e.t.Helper()
	res, err := e.svc.Search(e.ctx, viewer, social.SearchQuery{Text: text, Kind: kind, Limit: social.MaxSearchLimit})
	if err != nil {
		e.t.Fatalf("search %q by %s: %v", text, viewer.Username, err)
	}
	return res
}

// TestSearchVisibility proves that search shows a viewer exactly the posts and
// comments the viewer may open, across audiences, group kinds, pending posts, comments,
// deleted and edited posts, remote posts, partner and guest accounts. Each post carries
// a word of its own, and every post is searched for by every viewer.
func TestSearchVisibility(t *testing.T) {
	eachEnv(t, func(t *testing.T, plain *env) {
		e, _ := remoteEnv(t, plain.store)
		alice, bob, carl, dora := e.member("alice"), e.member("bob"), e.member("carl"), e.member("dora")
		mod, eve, gus := e.member("mod"), e.member("eve"), e.guest("gus")
		e.follow(carl, alice)

		open := e.group(alice, "opengrp", model.GroupOpen)
		closed := e.group(alice, "closedgrp", model.GroupClosed)
		secret := e.group(alice, "secretgrp", model.GroupSecret)
		e.joined(secret, alice, dora)
		partners := e.group(alice, "partners", model.GroupClosed)
		e.joined(partners, alice, gus)
		premod, err := e.svc.Groups.Create(e.ctx, mod, social.GroupInput{Name: "premod", DisplayName: "Premod", Kind: model.GroupOpen, PreModeration: true})
		if err != nil {
			t.Fatal(err)
		}
		e.joined(premod, mod, alice)
		e.joined(premod, mod, bob)

		words := map[string]*model.Post{} // the word each post is found by
		words["aardvark"] = e.post(alice, "site aardvark", model.AudienceSite)
		words["badger"] = e.post(alice, "company badger", model.AudienceCompany)
		followers := e.post(alice, "followers cheetah", model.AudienceFollowers)
		words["cheetah"] = followers
		words["dingo"] = e.groupPost(alice, open, "open dingo")
		words["emu"] = e.groupPost(alice, closed, "closed emu")
		secretPost := e.groupPost(alice, secret, "secret ferret #ferret")
		words["ferret"] = secretPost
		pending := e.groupPost(alice, premod, "pending gecko")
		if pending.State != model.PostPending {
			t.Fatalf("pending post is %s", pending.State)
		}
		words["gecko"] = pending
		words["hyena"] = e.comment(carl, followers.ID, "comment hyena")
		words["ibis"] = e.comment(dora, secretPost.ID, "comment ibis")
		deleted := e.post(alice, "deleted jackal", model.AudienceSite)
		if err := e.svc.Posts.Delete(e.ctx, alice, deleted.ID); err != nil {
			t.Fatal(err)
		}
		edited := e.post(alice, "original koala", model.AudienceSite)
		if _, err := e.svc.Posts.Edit(e.ctx, alice, edited.ID, "edited lemur"); err != nil {
			t.Fatal(err)
		}
		words["lemur"] = edited

		// Remote content this node holds: a sibling's company post, and a partner's post
		// in a local group the partner is a member of.
		rita := e.remoteActor("rita", model.TrustSibling)
		if err := e.svc.Remote.ReceivePost(e.ctx, e.in(rita, model.TrustSibling), social.RemotePost{
			URI: nodeB + "/posts/z1", Audience: model.AudienceCompany, HTML: "<p>remote zebra</p>", CreatedAt: time.Now(),
		}); err != nil {
			t.Fatal(err)
		}
		words["zebra"], _ = e.store.PostByURI(e.ctx, nodeB+"/posts/z1")
		pat := e.remoteActor("pat", model.TrustPartner)
		if err := e.store.SaveMembership(e.ctx, &model.Membership{GroupID: partners.ID, AccountID: pat.ID, Role: model.GroupMember,
			State: model.MemberActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Remote.ReceiveGroupPost(e.ctx, e.in(pat, model.TrustPartner), partners, social.RemotePost{
			URI: "http://127.0.0.1:8099/posts/q1", HTML: "<p>partner quokka</p>", CreatedAt: time.Now(),
		}); err != nil {
			t.Fatal(err)
		}
		words["quokka"], _ = e.store.PostByURI(e.ctx, "http://127.0.0.1:8099/posts/q1")

		// What each viewer finds, spelled out.
		want := map[*model.Account][]string{
			alice: {"aardvark", "badger", "cheetah", "dingo", "emu", "ferret", "gecko", "hyena", "ibis", "lemur", "quokka", "zebra"},
			bob:   {"aardvark", "badger", "lemur", "zebra"},
			carl:  {"aardvark", "badger", "cheetah", "hyena", "lemur", "zebra"},
			dora:  {"aardvark", "badger", "ferret", "ibis", "lemur", "zebra"},
			mod:   {"aardvark", "badger", "gecko", "lemur", "zebra"},
			eve:   {"aardvark", "badger", "lemur", "zebra"},
			gus:   {"quokka"},
		}
		all := []string{"aardvark", "badger", "cheetah", "dingo", "emu", "ferret", "gecko", "hyena", "ibis", "jackal", "koala", "lemur", "quokka", "zebra"}
		for viewer, wantWords := range want {
			var got []string
			for _, w := range all {
				for _, r := range e.search(viewer, social.SearchPosts, w).Posts {
					if p := words[w]; p != nil && r.Post.ID == p.ID {
						got = append(got, w)
					} else {
						t.Errorf("%s searching %q found %q", viewer.Username, w, r.Post.Source)
					}
				}
			}
			if !reflect.DeepEqual(got, wantWords) {
				t.Errorf("%s finds %v, want %v", viewer.Username, got, wantWords)
			}
			// The same rule as opening the post: found exactly when View allows it.
			for w, p := range words {
				_, err := e.svc.Posts.View(e.ctx, viewer, p.ID)
				if err != nil && !errors.Is(err, social.ErrNotFound) {
					t.Fatal(err)
				}
				if canView, found := err == nil, contains(wantWords, w); canView != found {
					t.Errorf("%s: %q viewable %v, found %v", viewer.Username, w, canView, found)
				}
			}
		}

		// Hashtags only with a post the viewer may see.
		if tags := e.search(bob, social.SearchTags, "#ferret").Tags; len(tags) != 0 {
			t.Errorf("bob finds tags %+v", tags)
		}
		if tags := e.search(dora, social.SearchTags, "#ferret").Tags; len(tags) != 1 || tags[0].Name != "ferret" || tags[0].Posts != 1 {
			t.Errorf("dora finds tags %+v", tags)
		}
		if tags := e.search(gus, social.SearchAll, "ferret").Tags; len(tags) != 0 {
			t.Errorf("gus finds tags %+v", tags)
		}

		// Groups as the directory lists them: secret ones to members only, guests only theirs.
		groups := func(v *model.Account, text string) []string {
			var out []string
			for _, g := range e.search(v, social.SearchGroups, text).Groups {
				out = append(out, g.Group.Name)
			}
			sort.Strings(out)
			return out
		}
		// Every group but premod is called "The …".
		if got := groups(bob, "the"); !reflect.DeepEqual(got, []string{"closedgrp", "opengrp", "partners"}) {
			t.Errorf("bob finds groups %v", got)
		}
		if got := groups(bob, "secretgrp"); got != nil {
			t.Errorf("bob finds groups %v", got)
		}
		if got := groups(dora, "the"); !reflect.DeepEqual(got, []string{"closedgrp", "opengrp", "partners", "secretgrp"}) {
			t.Errorf("dora finds groups %v", got)
		}
		if got := groups(gus, "the"); !reflect.DeepEqual(got, []string{"partners"}) {
			t.Errorf("gus finds groups %v", got)
		}
		if got := groups(gus, "open"); got != nil {
			t.Errorf("gus finds groups %v", got)
		}

		// People: members find everyone active, remote accounts included; guests find
		// themselves and the members of their groups.
		people := func(v *model.Account, text string) []string {
			var out []string
			for _, a := range e.search(v, social.SearchPeople, text).People {
				out = append(out, a.Username)
			}
			sort.Strings(out)
			return out
		}
		if got := people(bob, "rita"); !reflect.DeepEqual(got, []string{"rita"}) {
			t.Errorf("bob finds %v", got)
		}
		for text, wantPeople := range map[string][]string{"alice": {"alice"}, "gus": {"gus"}, "pat": {"pat"}, "bob": nil, "rita": nil} {
			if got := people(gus, text); !reflect.DeepEqual(got, wantPeople) {
				t.Errorf("gus searching %q finds %v, want %v", text, got, wantPeople)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSearchResultsAndInput(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		anna := e.member("anna")
		e.post(anna, "Die Häuser am See werden im Frühjahr renoviert", model.AudienceCompany)
		e.post(anna, "We are running the `<script>alert(1)</script>` xylophone test", model.AudienceCompany)
		e.post(anna, "Planning the #roadmap for the year", model.AudienceCompany)

		res := e.search(anna, social.SearchAll, "haus")
		if len(res.Posts) != 1 || res.Posts[0].Snippet != "Die <mark>Häuser</mark> am See werden im Frühjahr renoviert" {
			t.Errorf("german stem: %+v", res.Posts)
		}
		res = e.search(anna, social.SearchPosts, "run xylophone")
		if len(res.Posts) != 1 {
			t.Fatalf("english stem: %d posts", len(res.Posts))
		}
		snip := res.Posts[0].Snippet
		if strings.Contains(snip, "<script") || !strings.Contains(snip, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
			!strings.Contains(snip, "<mark>running</mark>") || !strings.Contains(snip, "<mark>xylophone</mark>") {
			t.Errorf("snippet not escaped or not marked: %s", snip)
		}
		if res.Posts[0].Author == nil || res.Posts[0].Author.ID != anna.ID {
			t.Errorf("result without author: %+v", res.Posts[0])
		}
		res = e.search(anna, social.SearchAll, "#roadmap")
		if len(res.Posts) != 1 || len(res.Tags) != 1 || res.Tags[0].Name != "roadmap" {
			t.Errorf("tag search: %d posts, tags %+v", len(res.Posts), res.Tags)
		}
		res = e.search(anna, social.SearchAll, "anna")
		if len(res.People) != 1 || res.People[0].ID != anna.ID {
			t.Errorf("people: %+v", res.People)
		}

		// Paging: one at a time, with More until the last.
		for i := 0; i < 3; i++ {
			e.post(anna, "paging test", model.AudienceSite)
		}
		seen := map[string]bool{}
		for off := 0; off < 3; off++ {
			res, err := e.svc.Search(e.ctx, anna, social.SearchQuery{Text: "paging", Kind: social.SearchPosts, Limit: 1, Offset: off})
			if err != nil || len(res.Posts) != 1 || res.More[social.SearchPosts] != (off < 2) {
				t.Fatalf("page %d: %+v %v", off, res, err)
			}
			seen[res.Posts[0].Post.ID] = true
		}
		if len(seen) != 3 {
			t.Errorf("pages repeated posts: %v", seen)
		}

		for _, c := range []struct {
			q    social.SearchQuery
			want map[string]string
		}{
			{social.SearchQuery{Text: "  "}, map[string]string{"q": "error.search.empty"}},
			{social.SearchQuery{Text: strings.Repeat("x", 201)}, map[string]string{"q": "error.search.too_long"}},
			{social.SearchQuery{Text: "x", Kind: "files"}, map[string]string{"type": "error.search.type"}},
			{social.SearchQuery{Text: "x", Offset: -1}, map[string]string{"offset": "error.search.offset"}},
			{social.SearchQuery{Text: "x", Offset: storage.SearchCandidates}, map[string]string{"offset": "error.search.offset"}},
		} {
			_, err := e.svc.Search(e.ctx, anna, c.q)
			wantFields(t, err, c.want)
		}
		// Query syntax of either database is just text.
		for _, text := range []string{`"`, `NEAR(a b)`, `-x OR y*`, `a:b`, `'; DROP TABLE posts; --`, `::*`, `&|!`} {
			if _, err := e.svc.Search(e.ctx, anna, social.SearchQuery{Text: text}); err != nil {
				t.Errorf("search %q: %v", text, err)
			}
		}
	})
}
