package cluster_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// bodyTables are the tables a request with a body could change.
var bodyTables = []string{"posts", "post_edits", "follows", "reactions", "processed_activities", "deliveries",
	"accounts", "sessions", "groups", "group_members", "guest_invitations"}

// oversizedForm is a urlencoded form with csrf and one field filled past size bytes.
func oversizedForm(csrf, field string, size int64) []byte {
	return []byte(url.Values{"csrf": {csrf}, field: {strings.Repeat("x", int(size))}}.Encode())
}

// oversizedUpload is a multipart form with csrf and a file of size bytes.
func oversizedUpload(t *testing.T, csrf, fileField string, size int64) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", csrf)
	_ = mw.WriteField("kind", social.GroupAvatar)
	fw, err := mw.CreateFormFile(fileField, "big.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(bytes.Repeat([]byte{0x89}, int(size)))
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// TestOversizedBodiesRefused sends every kind of endpoint that takes a body one past its
// limit, with a Content-Length and chunked: each answers 413 and nothing is stored.
func TestOversizedBodiesRefused(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			ann := testrig.CreateAccount(t, berlin.Social, "ann", model.RoleAdmin)
			berlin.User("carl")
			bob := munich.User("bob")
			team := newGroup(t, berlin, alice, "team", model.GroupOpen, false)
			post := publish(t, berlin, alice, "Hello", model.AudienceCompany)
			inv, err := berlin.Social.Invitations.Invite(ctx, ann, social.InvitationInput{Email: "gus@partner.example", GroupIDs: []string{team.ID}})
			if err != nil {
				t.Fatal(err)
			}
			invitePath := strings.TrimPrefix(inv.Link, berlin.URL)
			session := func(who string) (string, string) {
				ck, err := berlin.Social.Auth.Login(ctx, who, testrig.Password, "limits", "127.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				sess, _, err := berlin.Social.Auth.Session(ctx, ck)
				if err != nil {
					t.Fatal(err)
				}
				return ck, sess.CSRFToken
			}
			ck, csrf := session("alice")
			adminCk, adminCSRF := session("ann")
			tok, _, err := berlin.Social.Tokens.Create(ctx, alice.ID, "limits")
			if err != nil {
				t.Fatal(err)
			}
			pre := strings.Repeat("p", 43) // a pre-session double-submit token
			limit, upload := berlin.Config.MaxBodyBytes, berlin.Config.MaxAvatarBytes+64<<10
			note := munich.NewNote(bob, strings.Repeat("x", int(limit)), model.AudienceCompany)
			inbox := munich.CreateOf(bob, note)

			type bodyCase struct {
				name, path, kind string // kind: web, admin, pre, api, inbox
				body             []byte
				contentType      string
			}
			form := "application/x-www-form-urlencoded"
			avatar, avatarType := oversizedUpload(t, csrf, "avatar", upload)
			image, imageType := oversizedUpload(t, csrf, "image", upload)
			cases := []bodyCase{
				{"login", "/login", "pre", oversizedForm(pre, "password", limit), form},
				{"invitation acceptance", invitePath, "pre", oversizedForm(pre, "password", limit), form},
				{"new post", "/posts", "web", oversizedForm(csrf, "source", limit), form},
				{"post edit", "/posts/" + post.ID + "/edit", "web", oversizedForm(csrf, "source", limit), form},
				{"reaction", "/posts/" + post.ID + "/react", "web", oversizedForm(csrf, "kind", limit), form},
				{"follow", "/users/carl/follow", "web", oversizedForm(csrf, "x", limit), form},
				{"tag follow", "/tags/big/follow", "web", oversizedForm(csrf, "x", limit), form},
				{"new group", "/groups", "web", oversizedForm(csrf, "description", limit), form},
				{"group post", "/groups/team/posts", "web", oversizedForm(csrf, "source", limit), form},
				{"group settings", "/groups/team/settings", "web", oversizedForm(csrf, "description", limit), form},
				{"group invite", "/groups/team/members", "web", oversizedForm(csrf, "handle", limit), form},
				{"profile", "/settings/profile", "web", oversizedForm(csrf, "about", limit), form},
				{"password", "/settings/password", "web", oversizedForm(csrf, "new_password", limit), form},
				{"token", "/settings/tokens", "web", oversizedForm(csrf, "name", limit), form},
				{"guest invitation", "/invitations", "web", oversizedForm(csrf, "email", limit), form},
				{"logout", "/logout", "web", oversizedForm(csrf, "x", limit), form},
				{"avatar upload", "/settings/avatar", "web", avatar, avatarType},
				{"group image upload", "/groups/team/image", "web", image, imageType},
				{"admin new user", "/admin/users", "admin", oversizedForm(adminCSRF, "username", limit), form},
				{"admin peer", "/admin/peers", "admin", oversizedForm(adminCSRF, "url", limit), form},
				{"API status", "/api/v1/statuses", "api", []byte(`{"status":"` + strings.Repeat("x", int(limit)) + `"}`), "application/json"},
				{"API favourite", "/api/v1/statuses/" + post.ID + "/favourite", "api", bytes.Repeat([]byte(" "), int(limit)+1), "application/json"},
				{"API tag follow", "/api/v1/tags/big/follow", "api", bytes.Repeat([]byte(" "), int(limit)+1), "application/json"},
				{"shared inbox", "/inbox", "inbox", inbox, activitypub.ActivityContentType},
				{"personal inbox", "/users/alice/inbox", "inbox", inbox, activitypub.ActivityContentType},
				{"group inbox", "/groups/team/inbox", "inbox", inbox, activitypub.ActivityContentType},
			}
			before := map[string]int{}
			for _, table := range bodyTables {
				before[table] = berlin.Count(table)
			}
			signer := munich.AccountSigner(bob)
			for _, c := range cases {
				for _, chunked := range []bool{false, true} {
					req := berlin.NewRequest(http.MethodPost, c.path, c.body)
					req.Header.Set("Content-Type", c.contentType)
					switch c.kind {
					case "web":
						req.AddCookie(&http.Cookie{Name: "atrium_session", Value: ck})
					case "admin":
						req.AddCookie(&http.Cookie{Name: "atrium_session", Value: adminCk})
					case "pre":
						req.AddCookie(&http.Cookie{Name: "atrium_csrf", Value: pre})
					case "api":
						req.Header.Set("Authorization", "Bearer "+tok)
					case "inbox":
						if err := signer.Sign(req, c.body); err != nil {
							t.Fatal(err)
						}
					}
					if chunked {
						req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(c.body)), -1
					}
					if got := berlin.Do(req); got.Status != http.StatusRequestEntityTooLarge {
						t.Errorf("%s (chunked %v): %d, want 413", c.name, chunked, got.Status)
					}
				}
			}
			for _, table := range bodyTables {
				if n := berlin.Count(table); n != before[table] {
					t.Errorf("%s: %d rows after refused requests, %d before", table, n, before[table])
				}
			}
			// The session and token still work: the refusals were about size.
			if r := webPost(t, berlin, ck, "/posts", url.Values{"source": {"small"}, "audience": {"company"}}); r.Status != http.StatusSeeOther {
				t.Errorf("a small post after the refusals: %d", r.Status)
			}
		})
	}
}
