package cluster_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/htmlcheck"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// apiHTMLKeys are the members of API entities whose strings are HTML a client shows as
// such; every other string is plain text, which clients escape.
var apiHTMLKeys = map[string]bool{"content": true, "note": true, "value": true, "summary": true, "description": true}

// activeInJSON lists executable markup in the HTML members of a JSON document.
func activeInJSON(t *testing.T, body string) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("API answer is no JSON: %v: %.200s", err, body)
	}
	var found []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				walk(k, sub)
			}
		case []any:
			for _, sub := range x {
				walk(key, sub)
			}
		case string:
			if apiHTMLKeys[key] {
				for _, bad := range htmlcheck.Fragment(x) {
					found = append(found, key+": "+bad)
				}
			}
		}
	}
	walk("", doc)
	return found
}

// hostileCreate is the JSON of a Create by author of n for a note with its HTML as sent,
// tagged #xss, answering replyTo (with its author parentAuthor) when not empty.
func hostileCreate(t *testing.T, n *cluster.Node, author *model.Account, note *model.Post, replyTo, parentAuthor string) []byte {
	t.Helper()
	a, err := activitypub.NewCreate(activitypub.PostActivity{URIs: model.NewURIs(n.URL), Post: note, Author: author,
		Extras:          activitypub.NoteExtras{InReplyToURI: replyTo, Hashtags: []activitypub.Tag{{Href: n.URL + "/tags/xss", Name: "#xss"}}},
		ParentAuthorURI: parentAuthor})
	if err != nil {
		t.Fatal(err)
	}
	b, err := activitypub.Marshal(n.URL, a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestXSSFromRemoteNodes has a hostile peer push every known XSS vector as raw HTML in
// notes, comments, hashtags, Person fields (fetched actor and signed Update, with
// PropertyValue attachments) and Group fields (fetched actor and signed Update): none of
// Berlin's pages, nor its JSON API, carries executable markup.
func TestXSSFromRemoteNodes(t *testing.T) {
	vectors := htmlcheck.XSSVectors()
	joined := strings.Join(vectors, "\n")
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			alice := berlin.User("alice")
			bob := munich.User("bob")
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}

			// Munich turns hostile: its stored profile and group carry raw active HTML,
			// which its actor documents serve as they are.
			bob.DisplayName, bob.JobTitle, bob.Department, bob.Site, bob.AboutHTML = vectors[1], vectors[11], vectors[12], vectors[0], joined
			must("tamper bob", munich.Store.UpdateAccount(ctx, bob, "display_name", "job_title", "department", "site", "about_html"))
			skills := []string{vectors[0], vectors[2], `"><b>x`}
			must("tamper skills", munich.Store.ReplaceSkills(ctx, bob.ID, skills))
			lair := newGroup(t, munich, bob, "lair", model.GroupOpen, false)
			lair.DisplayName, lair.DescriptionHTML = vectors[11], joined
			must("tamper group", munich.Store.UpdateGroup(ctx, lair, "display_name", "description_html"))

			followAndWait(t, berlin, alice, munich, "bob")
			v, err := berlin.Social.Groups.Get(ctx, alice, "lair@"+munich.Host)
			must("find the group", err)
			_, err = berlin.Social.Groups.Join(ctx, alice, v.Group.ID)
			must("join the group", err)
			cluster.Eventually(t, "alice is a member of lair", func() bool {
				return membershipState(t, berlin, v.Group.ID, alice.ID) == model.MemberActive
			})
			target := publish(t, berlin, alice, "Comment here", model.AudienceCompany)
			cluster.Settle(t, nodes...)

			// Signed by bob's own key: notes and comments with every vector.
			signer := munich.AccountSigner(bob)
			var sent []string
			for i, vec := range vectors {
				note := munich.NewNote(bob, vec+" #xss", model.AudienceCompany)
				reply := munich.NewNote(bob, vec, model.AudienceCompany)
				for _, b := range [][]byte{hostileCreate(t, munich, bob, note, "", ""), hostileCreate(t, munich, bob, reply, target.URI, alice.URI)} {
					if got := berlin.SignedPost(signer, "/inbox", b); got.Status != http.StatusAccepted {
						t.Fatalf("vector %d: Create: %d %s", i, got.Status, got.Body)
					}
				}
				sent = append(sent, note.URI, reply.URI)
			}
			// The profile Update and the group Update carry them too.
			profile := *bob
			profile.Skills = skills
			profile.UpdatedAt = time.Now().UTC()
			if got := berlin.SignedPost(signer, "/inbox", withAttachments(t, munich.ProfileUpdateOf(&profile), vectors)); got.Status != http.StatusAccepted {
				t.Fatalf("profile Update: %d %s", got.Status, got.Body)
			}
			lair.DisplayName, lair.UpdatedAt = vectors[12], time.Now().UTC()
			up, err := activitypub.NewUpdateGroup(munich.URL, lair)
			must("group Update", err)
			ub, err := activitypub.Marshal(munich.URL, up)
			must("marshal group Update", err)
			if got := berlin.SignedPost(groupSigner(t, munich, lair), "/inbox", ub); got.Status != http.StatusAccepted {
				t.Fatalf("group Update: %d %s", got.Status, got.Body)
			}
			// A group post through Munich's own path, relayed by the group.
			grp := publishIn(t, munich, bob, lair.ID, joined)
			cluster.Eventually(t, "the group post reaches Berlin", func() bool { return hasPost(berlin, grp.URI) })
			sent = append(sent, grp.URI)

			// Everything arrived, and the updates were applied.
			var ids []string
			for _, uri := range sent {
				ids = append(ids, copyOf(t, berlin, uri).ID)
			}
			cluster.Eventually(t, "Berlin applied the group Update", func() bool {
				g := cachedGroup(t, berlin, lair.URI)
				return g != nil && g.DisplayName == vectors[12]
			})
			remoteBob, err := berlin.Store.AccountByURI(ctx, bob.URI)
			must("bob on Berlin", err)
			if remoteBob.DisplayName != vectors[1] || remoteBob.JobTitle != vectors[11] || remoteBob.AboutHTML == "" {
				t.Fatalf("bob's profile on Berlin: %q %q %q", remoteBob.DisplayName, remoteBob.JobTitle, remoteBob.AboutHTML)
			}

			ck, err := berlin.Social.Auth.Login(ctx, "alice", testrig.Password, "xss", "127.0.0.1")
			must("login", err)
			handle := url.PathEscape("bob@" + munich.Host)
			group := "/groups/" + url.PathEscape("lair@"+munich.Host)
			pages := []string{"/", "/?tab=following", "/posts/" + target.ID, "/users/" + handle, "/people", "/people?q=bob",
				"/search?q=alert", "/search?q=x&type=posts", "/search?q=bob&type=people", "/search?q=lair&type=groups",
				"/tags", "/tags/xss", "/groups", group, group + "/members"}
			for _, id := range ids {
				pages = append(pages, "/posts/"+id)
			}
			for _, path := range pages {
				r := webGet(t, berlin, ck, path)
				if r.Status != http.StatusOK {
					t.Errorf("%s: %d", path, r.Status)
					continue
				}
				if bad := htmlcheck.Page(r.Body); len(bad) > 0 {
					t.Errorf("%s has active markup: %q", path, bad)
				}
			}

			tok, _, err := berlin.Social.Tokens.Create(ctx, alice.ID, "xss")
			must("token", err)
			apis := []string{"/api/v1/timelines/home?limit=40", "/api/v1/timelines/tag/xss?limit=40", "/api/v2/search?q=alert",
				"/api/v2/search?q=bob&type=accounts", "/api/v1/statuses/" + target.ID}
			for _, id := range ids {
				apis = append(apis, "/api/v1/statuses/"+id)
			}
			for _, path := range apis {
				r := apiGet(t, berlin, tok, path)
				if r.Status != http.StatusOK {
					t.Errorf("%s: %d", path, r.Status)
					continue
				}
				if bad := activeInJSON(t, r.Body); len(bad) > 0 {
					t.Errorf("%s has active markup: %q", path, bad)
				}
			}
		})
	}
}

// withAttachments adds to the Person of an Update the PropertyValue attachments other
// software sends for profile fields, one per vector in name and value.
func withAttachments(t *testing.T, update []byte, vectors []string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(update, &doc); err != nil {
		t.Fatal(err)
	}
	person, ok := doc["object"].(map[string]any)
	if !ok {
		t.Fatalf("Update without an embedded Person: %s", update)
	}
	var fields []any
	for _, v := range vectors {
		fields = append(fields, map[string]any{"type": "PropertyValue", "name": v, "value": v})
	}
	person["attachment"] = fields
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publishIn posts src in the group groupID of n, failing the test on error.
func publishIn(t *testing.T, n *cluster.Node, author *model.Account, groupID, src string) *model.Post {
	t.Helper()
	p, err := n.Social.Posts.Create(context.Background(), author, social.PostInput{Source: src, GroupID: groupID})
	if err != nil {
		t.Fatalf("%s: group post: %v", n.Name, err)
	}
	return p
}
