package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// endpoints lists every route with a harmless request, for the access checks.
func endpoints(postID string) []request {
	return []request{
		{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials"},
		{method: http.MethodPost, path: "/api/v1/statuses", contentType: "application/json", body: `{"status":"hi"}`},
		{method: http.MethodGet, path: "/api/v1/statuses/" + postID},
		{method: http.MethodDelete, path: "/api/v1/statuses/" + postID},
		{method: http.MethodPost, path: "/api/v1/statuses/" + postID + "/favourite"},
		{method: http.MethodPost, path: "/api/v1/statuses/" + postID + "/unfavourite"},
		{method: http.MethodGet, path: "/api/v1/timelines/home"},
	}
}

func TestEveryEndpointNeedsALiveToken(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		ctx := context.Background()
		admin, _ := e.user("admin", model.RoleAdmin)
		alice, aliceToken := e.user("alice", model.RoleMember)
		post := e.post(alice, "hello", model.AudienceCompany)

		revoked, _ := e.user("rita", model.RoleMember)
		revokedToken, tok, err := e.svc.Tokens.Create(ctx, revoked.ID, "old")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Tokens.Revoke(ctx, revoked.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		gone, goneToken := e.user("gone", model.RoleMember)
		if err := e.svc.Accounts.SetActive(ctx, admin, gone.ID, false); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name          string
			authorization string
			invalidToken  bool
		}{
			{name: "missing"},
			{name: "empty bearer", authorization: "Bearer "},
			{name: "basic scheme", authorization: "Basic YWxpY2U6cGFzc3dvcmQ="},
			{name: "unknown token", authorization: "Bearer atr_doesnotexist", invalidToken: true},
			{name: "no prefix", authorization: "Bearer " + strings.TrimPrefix(aliceToken, "atr_"), invalidToken: true},
			{name: "revoked token", authorization: "Bearer " + revokedToken, invalidToken: true},
			{name: "deactivated account", authorization: "Bearer " + goneToken, invalidToken: true},
		}
		for _, c := range cases {
			for _, ep := range endpoints(post.ID) {
				t.Run(c.name+" "+ep.method+" "+ep.path, func(t *testing.T) {
					ep.authorization = c.authorization
					w := e.do(ep)
					wantError(t, w, http.StatusUnauthorized)
					challenge := w.Header().Get("WWW-Authenticate")
					if !strings.HasPrefix(challenge, "Bearer") {
						t.Errorf("WWW-Authenticate = %q", challenge)
					}
					if got := strings.Contains(challenge, `error="invalid_token"`); got != c.invalidToken {
						t.Errorf("WWW-Authenticate = %q, invalid_token expected %v", challenge, c.invalidToken)
					}
				})
			}
		}
		if n := e.countPosts(alice); n != 1 {
			t.Errorf("alice has %d posts after refused calls, want 1", n)
		}
		if _, err := e.svc.Posts.View(ctx, alice, post.ID); err != nil {
			t.Errorf("post gone after refused delete: %v", err)
		}

		t.Run("scheme is case-insensitive", func(t *testing.T) {
			w := e.do(request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials",
				authorization: "bearer " + aliceToken})
			wantStatus(t, w, http.StatusOK)
		})
		t.Run("token in the query string is ignored", func(t *testing.T) {
			w := e.do(request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials?access_token=" + aliceToken})
			wantError(t, w, http.StatusUnauthorized)
		})
		t.Run("refusals are logged", func(t *testing.T) {
			if !strings.Contains(e.logs.String(), "status=401") {
				t.Errorf("no 401 in logs:\n%s", e.logs)
			}
		})
	})
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		_, token := e.user("alice", model.RoleMember)
		cases := []struct {
			method, path string
			want         int
		}{
			{http.MethodGet, "/api/v1/nothing", http.StatusNotFound},
			{http.MethodGet, "/api/v2/timelines/home", http.StatusNotFound},
			{http.MethodGet, "/api/v1/statuses/x/y/z", http.StatusNotFound},
			{http.MethodPut, "/api/v1/timelines/home", http.StatusMethodNotAllowed},
			{http.MethodGet, "/api/v1/statuses", http.StatusMethodNotAllowed},
			{http.MethodPatch, "/api/v1/accounts/verify_credentials", http.StatusMethodNotAllowed},
			{http.MethodGet, "/api/v1/statuses/x/favourite", http.StatusMethodNotAllowed},
		}
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				wantError(t, e.do(request{method: c.method, path: c.path, token: token}), c.want)
			})
		}
	})
}

func TestServerErrorsDoNotLeak(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		e := newEnv(t, store)
		_, token := e.user("alice", model.RoleMember)
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		w := e.get(token, "/api/v1/timelines/home")
		b := wantError(t, w, http.StatusInternalServerError)
		if b.Error != "Internal server error" || b.Details != nil {
			t.Errorf("500 answer = %+v", b)
		}
		if logs := e.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "closed") {
			t.Errorf("server error not logged with its cause:\n%s", logs)
		}
	})
}
