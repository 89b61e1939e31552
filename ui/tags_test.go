package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestTagFollowPages(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		alice := u.account("alice", model.RoleMember)
		bob := u.account("bob", model.RoleMember)
		ctx := context.Background()
		for _, in := range []social.PostInput{
			{Source: "Ship it #Launch", Audience: model.AudienceCompany},
			{Source: "Only my followers #launch", Audience: model.AudienceFollowers},
			{Source: "Lunch?", Audience: model.AudienceCompany},
		} {
			if _, err := u.svc.Posts.Create(ctx, bob, in); err != nil {
				t.Fatal(err)
			}
		}
		c := u.login("alice")

		// The tag page: figures over what alice may see, and a follow form with the token.
		rec := c.get("/tags/LAUNCH")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "#launch", "Ship it", "Posts: 1", `action="/tags/launch/follow"`, `name="csrf" value="`+c.csrf+`"`)
		wantNoBody(t, rec, "Only my followers", "Lunch?")

		// Following's feed holds nothing of bob's yet.
		wantNoBody(t, c.get("/?tab=following"), "Ship it")

		// Without the token, or with a forged one, nothing changes.
		wantStatus(t, c.post("/tags/launch/follow", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
		anon := u.anonymous()
		wantStatus(t, anon.post("/tags/launch/follow", nil), http.StatusSeeOther) // to the login page
		if tags, _ := u.svc.Tags.Followed(ctx, alice); len(tags) != 0 {
			t.Fatalf("refused follow stored %v", tags)
		}

		wantRedirect(t, c.post("/tags/Launch/follow", nil), "/tags/launch?notice=tag_followed")
		rec = c.get("/tags/launch?notice=tag_followed")
		wantBody(t, rec, "You follow this hashtag", `action="/tags/launch/unfollow"`)

		// Bob's tagged post now reaches alice's Following feed, which names the tag.
		rec = c.get("/?tab=following")
		wantBody(t, rec, "Ship it", `href="/tags/launch" class="hashtag">#launch</a>`)
		wantNoBody(t, rec, "Only my followers", "Lunch?")

		// The hashtag list shows the followed tag with an unfollow form back to the list,
		// and the tags used this week.
		rec = c.get("/tags")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Hashtags you follow", `<a href="/tags/launch">#launch</a>`, `name="from" value="list"`, "Used this week",
			"1 posts by 1 people")
		wantRedirect(t, c.post("/tags/launch/unfollow", url.Values{"from": {"list"}}), "/tags?notice=tag_unfollowed")
		wantBody(t, c.get("/tags"), "You follow no hashtags yet")
		wantNoBody(t, c.get("/?tab=following"), "Ship it")

		// Going to a hashtag by name; a name no post can carry is refused.
		wantRedirect(t, c.get("/tags?tag=%23Onboarding"), "/tags/onboarding")
		rec = c.get("/tags?tag=not+a+tag")
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "A hashtag has letters", `aria-invalid="true"`)
		wantStatus(t, c.get("/tags/123"), http.StatusNotFound)
		wantStatus(t, c.post("/tags/a-b/follow", nil), http.StatusNotFound)
		wantStatus(t, c.get("/tags/launch?cursor=nope"), http.StatusBadRequest)

		// At the limit the tag page says why.
		for i := 0; i < 500; i++ {
			if _, err := u.store.FollowTag(ctx, alice.ID, fmt.Sprintf("t%03d", i), testrig.NewClock().Now()); err != nil {
				t.Fatal(err)
			}
		}
		rec = c.post("/tags/launch/follow", nil)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "You follow as many hashtags as you can", "Ship it")
	})
}

func TestTagPagePaging(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		bob := u.account("bob", model.RoleMember)
		u.account("alice", model.RoleMember)
		for i := 0; i < 23; i++ {
			if _, err := u.svc.Posts.Create(context.Background(), bob, social.PostInput{
				Source: fmt.Sprintf("tagged %02d #plan", i), Audience: model.AudienceCompany}); err != nil {
				t.Fatal(err)
			}
		}
		c := u.login("alice")
		rec := c.get("/tags/plan")
		wantBody(t, rec, "Posts: 23", "tagged 22", "tagged 03", `rel="next"`)
		wantNoBody(t, rec, "tagged 02")
		page, err := u.svc.Tags.Page(context.Background(), bob, "plan", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		rec = c.get("/tags/plan?cursor=" + page.Feed.Next)
		wantBody(t, rec, "tagged 02", "tagged 00")
		wantNoBody(t, rec, "tagged 03", `rel="next"`)
	})
}
