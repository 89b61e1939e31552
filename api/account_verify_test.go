package api

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

func TestAccountVerifyCredentials(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		ctx := context.Background()
		alice, aliceToken := e.user("alice", model.RoleMember)
		bob, bobToken := e.user("bob", model.RoleAdmin)
		carol, _ := e.user("carol", model.RoleMember)
		e.follow(alice, bob)
		e.follow(alice, carol)
		e.follow(carol, alice)

		if err := e.svc.Profiles.Update(ctx, alice, social.ProfileInput{
			DisplayName: "Alice Liddell", JobTitle: "Engineer <3", Department: "R&D", Site: "Berlin",
			Email: "alice@example.com", About: "Likes [rabbits](/tags/rabbits) and @bob",
		}); err != nil {
			t.Fatal(err)
		}
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Profiles.SetAvatar(ctx, alice, &img); err != nil {
			t.Fatal(err)
		}
		post := e.post(alice, "one", model.AudienceCompany)
		e.post(alice, "two", model.AudienceFollowers)
		if _, err := e.svc.Posts.Create(ctx, alice, social.PostInput{Source: "a comment", InReplyToID: post.ID}); err != nil {
			t.Fatal(err)
		}

		t.Run("full profile", func(t *testing.T) {
			w := e.get(aliceToken, "/api/v1/accounts/verify_credentials")
			wantStatus(t, w, http.StatusOK)
			a := decode[CredentialAccount](t, w)
			if a.ID != alice.ID || a.Username != "alice" || a.Acct != "alice" || a.DisplayName != "Alice Liddell" {
				t.Errorf("identity = %+v", a.Account)
			}
			if a.URL != testrig.BaseURL+"/users/alice" || a.URI != testrig.BaseURL+"/users/alice" {
				t.Errorf("url %q uri %q", a.URL, a.URI)
			}
			if !strings.HasPrefix(a.Avatar, testrig.BaseURL+"/avatars/") || len(a.Avatar) <= len(testrig.BaseURL+"/avatars/") ||
				a.AvatarStatic != a.Avatar {
				t.Errorf("avatar %q static %q", a.Avatar, a.AvatarStatic)
			}
			if _, err := time.Parse(time.RFC3339, a.CreatedAt); err != nil {
				t.Errorf("created_at %q: %v", a.CreatedAt, err)
			}
			// statuses_count counts the comment too, as Mastodon counts replies.
			if a.FollowersCount != 1 || a.FollowingCount != 2 || a.StatusesCount != 3 {
				t.Errorf("followers %d following %d statuses %d, want 1 2 3", a.FollowersCount, a.FollowingCount, a.StatusesCount)
			}
			if !strings.Contains(a.Note, `href="`+testrig.BaseURL+`/tags/rabbits"`) || strings.Contains(a.Note, `href="/`) {
				t.Errorf("note = %q", a.Note)
			}
			if a.Source.Note != "Likes [rabbits](/tags/rabbits) and @bob" || a.Role.Name != "member" {
				t.Errorf("source %+v role %+v", a.Source, a.Role)
			}
			wantFields := []Field{{Name: "Job title", Value: "Engineer &lt;3"}, {Name: "Department", Value: "R&amp;D"}, {Name: "Site", Value: "Berlin"}}
			if len(a.Fields) != len(wantFields) {
				t.Fatalf("fields = %+v", a.Fields)
			}
			for i, f := range wantFields {
				if a.Fields[i].Name != f.Name || a.Fields[i].Value != f.Value {
					t.Errorf("field %d = %+v, want %+v", i, a.Fields[i], f)
				}
			}
			if a.Source.Fields[0].Value != "Engineer <3" {
				t.Errorf("source fields = %+v", a.Source.Fields)
			}
		})

		t.Run("bare profile", func(t *testing.T) {
			w := e.get(bobToken, "/api/v1/accounts/verify_credentials")
			wantStatus(t, w, http.StatusOK)
			raw := decode[map[string]any](t, w)
			if raw["avatar"] != "" || raw["note"] != "" || raw["followers_count"] != 1.0 ||
				raw["following_count"] != 0.0 || raw["statuses_count"] != 0.0 {
				t.Errorf("bob = %v", raw)
			}
			for _, key := range []string{"emojis", "fields"} {
				if _, ok := raw[key].([]any); !ok {
					t.Errorf("%s = %#v, want an array", key, raw[key])
				}
			}
			if role := raw["role"].(map[string]any)["name"]; role != "admin" {
				t.Errorf("role = %v", role)
			}
		})
	})
}
