package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestStatusCreate(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		testrig.CreateAccount(t, e.svc, "bob", model.RoleMember)

		cases := []struct {
			name, contentType, body string
			wantVisibility          string
			wantAudience            model.Audience
		}{
			{"json default", "application/json", `{"status":"hello"}`, "public", model.AudienceCompany},
			{"json public", "application/json", `{"status":"hello","visibility":"public"}`, "public", model.AudienceCompany},
			{"json unlisted", "application/json; charset=utf-8", `{"status":"hello","visibility":"unlisted"}`, "public", model.AudienceCompany},
			{"json private", "application/json", `{"status":"hello","visibility":"private"}`, "private", model.AudienceFollowers},
			{"json site", "application/json", `{"status":"hello","visibility":"site"}`, "public", model.AudienceSite},
			{"json company", "application/json", `{"status":"hello","visibility":"company"}`, "public", model.AudienceCompany},
			{"json followers", "application/json", `{"status":"hello","visibility":"followers"}`, "private", model.AudienceFollowers},
			{"json null reply and empty media", "application/json", `{"status":"hello","in_reply_to_id":null,"media_ids":[],"sensitive":false,"language":"en"}`, "public", model.AudienceCompany},
			{"form", "application/x-www-form-urlencoded", "status=hello&visibility=private", "private", model.AudienceFollowers},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := e.countPosts(alice)
				w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses", token: token,
					contentType: c.contentType, body: c.body})
				wantStatus(t, w, http.StatusOK)
				st := decode[Status](t, w)
				if st.Visibility != c.wantVisibility || st.Audience != string(c.wantAudience) {
					t.Errorf("visibility %q audience %q, want %q %q", st.Visibility, st.Audience, c.wantVisibility, c.wantAudience)
				}
				if st.LocalOnly != (c.wantAudience == model.AudienceSite) {
					t.Errorf("local_only = %v", st.LocalOnly)
				}
				if st.Content != "<p>hello</p>" || st.Account.ID != alice.ID || st.Account.Username != "alice" {
					t.Errorf("status = %+v", st)
				}
				if e.countPosts(alice) != before+1 {
					t.Errorf("post not stored")
				}
				v, err := e.svc.Posts.View(context.Background(), alice, st.ID)
				if err != nil {
					t.Fatal(err)
				}
				if v.Post.Audience != c.wantAudience {
					t.Errorf("stored audience %q, want %q", v.Post.Audience, c.wantAudience)
				}
			})
		}

		t.Run("multipart form", func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("status", "from a multipart form")
			_ = mw.WriteField("visibility", "site")
			_ = mw.Close()
			w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses", token: token,
				contentType: mw.FormDataContentType(), body: buf.String()})
			wantStatus(t, w, http.StatusOK)
			if st := decode[Status](t, w); st.Audience != "site" || !strings.Contains(st.Content, "multipart") {
				t.Errorf("status = %+v", st)
			}
		})

		t.Run("full shape", func(t *testing.T) {
			w := e.postJSON(token, "/api/v1/statuses", `{"status":"Hi @bob and @nobody, see #Go and [docs](/users/alice)"}`)
			wantStatus(t, w, http.StatusOK)
			raw := decode[map[string]any](t, w)
			for _, key := range []string{"media_attachments", "emojis"} {
				if l, ok := raw[key].([]any); !ok || len(l) != 0 {
					t.Errorf("%s = %#v, want []", key, raw[key])
				}
			}
			for _, key := range []string{"edited_at", "in_reply_to_id", "in_reply_to_account_id", "reblog", "card", "poll"} {
				if v, ok := raw[key]; !ok || v != nil {
					t.Errorf("%s = %#v, want null", key, v)
				}
			}
			if raw["spoiler_text"] != "" || raw["sensitive"] != false || raw["reblogged"] != false ||
				raw["favourited"] != false || raw["reblogs_count"] != 0.0 || raw["favourites_count"] != 0.0 ||
				raw["replies_count"] != 0.0 {
				t.Errorf("neutral fields wrong: %v", raw)
			}
			if _, ok := raw["text"]; ok {
				t.Errorf("text sent outside a delete answer")
			}
			st := decode[Status](t, w)
			if st.URI != testrig.BaseURL+"/posts/"+st.ID || st.URL != st.URI {
				t.Errorf("uri %q url %q", st.URI, st.URL)
			}
			if !strings.HasPrefix(st.CreatedAt, "2026-11-25T09:00:") || !strings.HasSuffix(st.CreatedAt, "Z") {
				t.Errorf("created_at = %q", st.CreatedAt)
			}
			if len(st.Mentions) != 1 || st.Mentions[0].Username != "bob" || st.Mentions[0].URL != testrig.BaseURL+"/users/bob" {
				t.Errorf("mentions = %+v", st.Mentions)
			}
			if len(st.Tags) != 1 || st.Tags[0].Name != "go" || st.Tags[0].URL != testrig.BaseURL+"/tags/go" {
				t.Errorf("tags = %+v", st.Tags)
			}
			if strings.Contains(st.Content, `href="/`) || !strings.Contains(st.Content, `href="`+testrig.BaseURL+`/users/bob"`) {
				t.Errorf("content links not absolute: %s", st.Content)
			}
		})

		t.Run("comment", func(t *testing.T) {
			bob, err := e.svc.Accounts.ByUsername(context.Background(), "bob")
			if err != nil {
				t.Fatal(err)
			}
			parent := e.post(bob, "question?", model.AudienceSite)
			body := `{"status":"answer","in_reply_to_id":"` + parent.ID + `","visibility":"followers"}`
			w := e.postJSON(token, "/api/v1/statuses", body)
			wantStatus(t, w, http.StatusOK)
			st := decode[Status](t, w)
			if st.InReplyToID == nil || *st.InReplyToID != parent.ID {
				t.Errorf("in_reply_to_id = %v", st.InReplyToID)
			}
			if st.InReplyToAccountID == nil || *st.InReplyToAccountID != bob.ID {
				t.Errorf("in_reply_to_account_id = %v", st.InReplyToAccountID)
			}
			if st.Audience != "site" {
				t.Errorf("comment audience = %q, want the post's (site)", st.Audience)
			}
		})
	})
}

func TestStatusCreateRefusals(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		bob, _ := e.user("bob", model.RoleMember)
		hidden := e.post(bob, "for followers", model.AudienceFollowers)

		big := `{"status":"` + strings.Repeat("a", testMaxBody) + `"}`
		var bigForm bytes.Buffer
		mw := multipart.NewWriter(&bigForm)
		_ = mw.WriteField("status", strings.Repeat("a", testMaxBody))
		_ = mw.Close()

		cases := []struct {
			name, contentType, body string
			want                    int
			wantDetails             map[string]string
		}{
			{"empty json status", "application/json", `{"status":""}`, 422, map[string]string{"status": "error.post.empty"}},
			{"blank json status", "application/json", `{"status":"  \n "}`, 422, map[string]string{"status": "error.post.empty"}},
			{"missing status", "application/json", `{}`, 422, map[string]string{"status": "error.post.empty"}},
			{"empty form status", "application/x-www-form-urlencoded", "status=", 422, map[string]string{"status": "error.post.empty"}},
			{"no body", "", "", 422, map[string]string{"status": "error.post.empty"}},
			{"too long", "application/json", `{"status":"` + strings.Repeat("b", 10_001) + `"}`, 422, map[string]string{"status": "error.post.too_long"}},
			{"direct", "application/json", `{"status":"psst","visibility":"direct"}`, 422, map[string]string{"visibility": "error.visibility.direct_unsupported"}},
			{"unknown visibility", "application/json", `{"status":"x","visibility":"everyone"}`, 422, map[string]string{"visibility": "error.visibility.invalid"}},
			{"reply to invisible post", "application/json", `{"status":"x","in_reply_to_id":"` + hidden.ID + `"}`, 422, map[string]string{"in_reply_to_id": "error.post.parent_missing"}},
			{"reply to missing post", "application/json", `{"status":"x","in_reply_to_id":"01JZZZZZZZZZZZZZZZZZZZZZZZ"}`, 422, map[string]string{"in_reply_to_id": "error.post.parent_missing"}},
			{"spoiler", "application/json", `{"status":"x","spoiler_text":"cw"}`, 422, map[string]string{"spoiler_text": "error.status.spoiler_unsupported"}},
			{"media", "application/json", `{"status":"x","media_ids":["1"]}`, 422, map[string]string{"media_ids": "error.status.media_unsupported"}},
			{"poll", "application/json", `{"status":"x","poll":{"options":["a","b"]}}`, 422, map[string]string{"poll": "error.status.poll_unsupported"}},
			{"malformed json", "application/json", `{"status":`, 400, nil},
			{"not an object", "application/json", `"hello"`, 400, nil},
			{"wrong type", "application/json", `{"status":42}`, 400, nil},
			{"two values", "application/json", `{"status":"a"}{"status":"b"}`, 400, nil},
			{"oversized json", "application/json", big, 413, nil},
			{"oversized form", "application/x-www-form-urlencoded", "status=" + strings.Repeat("a", testMaxBody), 413, nil},
			{"oversized multipart", mw.FormDataContentType(), bigForm.String(), 413, nil},
			{"unsupported content type", "text/plain", "hello", 415, nil},
			{"broken content type", "application/", "hello", 415, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses", token: token,
					contentType: c.contentType, body: c.body})
				b := wantError(t, w, c.want)
				if c.wantDetails != nil {
					if len(b.Details) != len(c.wantDetails) {
						t.Errorf("details = %v, want %v", b.Details, c.wantDetails)
					}
					for k, v := range c.wantDetails {
						if b.Details[k] != v {
							t.Errorf("details[%s] = %q, want %q", k, b.Details[k], v)
						}
						if !strings.HasPrefix(b.Error, "Validation failed: ") || !strings.Contains(b.Error, k+": "+v) {
							t.Errorf("error = %q", b.Error)
						}
					}
				}
				if n := e.countPosts(alice); n != 0 {
					t.Fatalf("refused request created a post (%d)", n)
				}
			})
		}
		t.Run("form reply to invisible post", func(t *testing.T) {
			form := url.Values{"status": {"x"}, "in_reply_to_id": {hidden.ID}}
			w := e.do(request{method: http.MethodPost, path: "/api/v1/statuses", token: token,
				contentType: "application/x-www-form-urlencoded", body: form.Encode()})
			wantError(t, w, http.StatusUnprocessableEntity)
			counts, err := e.store.CountPosts(context.Background(), []string{hidden.ID}, "")
			if err != nil {
				t.Fatal(err)
			}
			if counts.Comments[hidden.ID] != 0 {
				t.Errorf("comment stored on an invisible post")
			}
		})
	})
}

// A client that got no answer repeats the request with the same Idempotency-Key and gets
// the post the first one made.
func TestStatusCreateIdempotencyKey(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		alice, token := e.user("alice", model.RoleMember)
		send := func(key, body string) *httptest.ResponseRecorder {
			t.Helper()
			return e.do(request{method: http.MethodPost, path: "/api/v1/statuses", token: token, contentType: "application/json",
				body: body, header: http.Header{"Idempotency-Key": {key}}})
		}
		w := send("draft-1", `{"status":"hello"}`)
		wantStatus(t, w, http.StatusOK)
		first := decode[Status](t, w)
		w = send("draft-1", `{"status":"hello"}`)
		wantStatus(t, w, http.StatusOK)
		if again := decode[Status](t, w); again.ID != first.ID || again.Content != first.Content {
			t.Fatalf("repeat answered %+v, want post %s", again, first.ID)
		}
		wantStatus(t, send("draft-2", `{"status":"hello"}`), http.StatusOK)
		if n := e.countPosts(alice); n != 2 {
			t.Fatalf("alice has %d posts, want 2", n)
		}
		w = send(strings.Repeat("k", 300), `{"status":"hello"}`)
		wantStatus(t, w, http.StatusUnprocessableEntity)
		if !strings.Contains(w.Body.String(), "idempotency_key") {
			t.Errorf("refusal does not name the key: %s", w.Body)
		}
		if n := e.countPosts(alice); n != 2 {
			t.Fatalf("a refused key made a post: %d", n)
		}
	})
}
