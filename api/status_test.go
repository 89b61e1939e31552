package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// missingID is a well-formed id no post has.
const missingID = "01JZZZZZZZZZZZZZZZZZZZZZZZ"

func TestStatusGet(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, aliceToken := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleMember)
		carol, _ := e.user("carol", model.RoleMember)
		e.follow(bob, carol)

		own := e.post(alice, "mine", model.AudienceFollowers)
		public := e.post(bob, "for everyone", model.AudienceCompany)
		site := e.post(bob, "for this site", model.AudienceSite)
		hidden := e.post(carol, "for carol's followers", model.AudienceFollowers)
		comment, err := e.svc.Posts.Create(context.Background(), carol, social.PostInput{Source: "a comment", InReplyToID: public.ID})
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name, token, id string
			want            int
			wantReplies     int
			wantReplyTo     string
		}{
			{name: "own followers post", token: aliceToken, id: own.ID, want: 200},
			{name: "company post", token: aliceToken, id: public.ID, want: 200, wantReplies: 1},
			{name: "site post", token: aliceToken, id: site.ID, want: 200},
			{name: "comment", token: aliceToken, id: comment.ID, want: 200, wantReplyTo: bob.ID},
			{name: "followers post of someone followed", token: bobToken, id: hidden.ID, want: 200},
			{name: "followers post of someone not followed", token: aliceToken, id: hidden.ID, want: 404},
			{name: "followers post of another", token: bobToken, id: own.ID, want: 404},
			{name: "no such post", token: aliceToken, id: missingID, want: 404},
			{name: "not an id", token: aliceToken, id: "nonsense", want: 404},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := e.get(c.token, "/api/v1/statuses/"+c.id)
				if c.want != 200 {
					wantError(t, w, c.want)
					return
				}
				wantStatus(t, w, 200)
				st := decode[Status](t, w)
				if st.ID != c.id || st.RepliesCount != c.wantReplies {
					t.Errorf("id %s replies %d, want %s %d", st.ID, st.RepliesCount, c.id, c.wantReplies)
				}
				if (st.InReplyToAccountID == nil) != (c.wantReplyTo == "") ||
					(st.InReplyToAccountID != nil && *st.InReplyToAccountID != c.wantReplyTo) {
					t.Errorf("in_reply_to_account_id = %v, want %q", st.InReplyToAccountID, c.wantReplyTo)
				}
			})
		}
	})
}

func TestStatusDelete(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		_, adminToken := e.user("admin", model.RoleAdmin)
		alice, aliceToken := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleMember)

		ownPost := e.post(alice, "delete *me*", model.AudienceCompany)
		bobsPost := e.post(bob, "bob's", model.AudienceCompany)
		bobsHidden := e.post(bob, "bob's followers only", model.AudienceFollowers)
		bobsOther := e.post(bob, "an admin removes this", model.AudienceCompany)
		comment, err := e.svc.Posts.Create(context.Background(), alice, social.PostInput{Source: "my comment", InReplyToID: bobsPost.ID})
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name, token, id string
			want            int
			// owner checks the post still exists (or not) afterwards.
			owner *model.Account
		}{
			{name: "someone else's post", token: aliceToken, id: bobsPost.ID, want: 403, owner: bob},
			{name: "someone else's invisible post", token: aliceToken, id: bobsHidden.ID, want: 404, owner: bob},
			{name: "no such post", token: aliceToken, id: missingID, want: 404},
			{name: "comment on it by another", token: bobToken, id: comment.ID, want: 403, owner: alice},
			{name: "own comment", token: aliceToken, id: comment.ID, want: 200, owner: alice},
			{name: "own post", token: aliceToken, id: ownPost.ID, want: 200, owner: alice},
			{name: "own post again", token: aliceToken, id: ownPost.ID, want: 404},
			{name: "admin deletes anyone's", token: adminToken, id: bobsOther.ID, want: 200, owner: bob},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := e.del(c.token, "/api/v1/statuses/"+c.id)
				if c.want == 200 {
					wantStatus(t, w, 200)
					st := decode[Status](t, w)
					if st.ID != c.id || st.Text == nil || *st.Text == "" {
						t.Errorf("deleted status = %+v", st)
					}
				} else {
					wantError(t, w, c.want)
				}
				if c.owner != nil {
					_, err := e.svc.Posts.View(context.Background(), c.owner, c.id)
					if stillThere := err == nil; stillThere != (c.want != 200) {
						t.Errorf("post still there = %v after %d (err %v)", stillThere, c.want, err)
					}
				}
			})
		}
		t.Run("deleting a post removes its comments", func(t *testing.T) {
			p := e.post(alice, "thread", model.AudienceCompany)
			c, err := e.svc.Posts.Create(context.Background(), bob, social.PostInput{Source: "reply", InReplyToID: p.ID})
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, e.get(bobToken, "/api/v1/statuses/"+c.ID), http.StatusOK)
			wantStatus(t, e.del(aliceToken, "/api/v1/statuses/"+p.ID), http.StatusOK)
			wantError(t, e.get(bobToken, "/api/v1/statuses/"+c.ID), http.StatusNotFound)
		})
		t.Run("answer carries the source", func(t *testing.T) {
			p := e.post(alice, "**bold** move", model.AudienceCompany)
			st := decode[Status](t, e.del(aliceToken, "/api/v1/statuses/"+p.ID))
			if st.Text == nil || *st.Text != "**bold** move" || st.Content != "<p><strong>bold</strong> move</p>" {
				t.Errorf("text %v content %q", st.Text, st.Content)
			}
		})
	})
}

func TestStatusFavourite(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, aliceToken := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleMember)
		post := e.post(alice, "like me", model.AudienceCompany)
		hidden := e.post(bob, "followers only", model.AudienceFollowers)
		path := "/api/v1/statuses/" + post.ID

		steps := []struct {
			name, token, action string
			wantCount           int
			wantMine            bool
		}{
			{"alice likes", aliceToken, "favourite", 1, true},
			{"alice likes again", aliceToken, "favourite", 1, true},
			{"bob likes", bobToken, "favourite", 2, true},
			{"alice unlikes", aliceToken, "unfavourite", 1, false},
			{"alice unlikes again", aliceToken, "unfavourite", 1, false},
			{"bob unlikes", bobToken, "unfavourite", 0, false},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				w := e.do(request{method: http.MethodPost, path: path + "/" + s.action, token: s.token})
				wantStatus(t, w, 200)
				st := decode[Status](t, w)
				if st.FavouritesCount != s.wantCount || st.Favourited != s.wantMine {
					t.Errorf("favourites_count %d favourited %v, want %d %v", st.FavouritesCount, st.Favourited, s.wantCount, s.wantMine)
				}
			})
		}
		t.Run("other reactions are not favourites", func(t *testing.T) {
			if err := e.svc.Posts.React(context.Background(), bob, post.ID, "love", true); err != nil {
				t.Fatal(err)
			}
			st := decode[Status](t, e.get(bobToken, path))
			if st.FavouritesCount != 0 || st.Favourited {
				t.Errorf("love counted as favourite: %+v", st)
			}
		})
		t.Run("seen by another viewer", func(t *testing.T) {
			wantStatus(t, e.do(request{method: http.MethodPost, path: path + "/favourite", token: bobToken}), 200)
			st := decode[Status](t, e.get(aliceToken, path))
			if st.FavouritesCount != 1 || st.Favourited {
				t.Errorf("alice sees %d favourited %v", st.FavouritesCount, st.Favourited)
			}
		})
		for _, action := range []string{"favourite", "unfavourite"} {
			t.Run(action+" invisible post", func(t *testing.T) {
				w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses/" + hidden.ID + "/" + action, token: aliceToken})
				wantError(t, w, http.StatusNotFound)
			})
			t.Run(action+" missing post", func(t *testing.T) {
				w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses/" + missingID + "/" + action, token: aliceToken})
				wantError(t, w, http.StatusNotFound)
			})
		}
	})
}
