package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
)

// tokenIn finds a token's plaintext on a page.
var tokenIn = regexp.MustCompile(`atr_[A-Za-z0-9_-]+`)

func TestTokens(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		ctx := context.Background()
		alice := u.account("alice", model.RoleMember)
		u.account("bob", model.RoleMember)
		c := u.login("alice")
		count := func() int {
			t.Helper()
			list, err := u.svc.Tokens.List(ctx, alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		rec := c.get("/settings/tokens")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<label for="name">`, "You have no tokens.", `aria-current="page">API tokens`)

		rec = c.post("/settings/tokens", url.Values{"name": {"   "}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "Give the token a name", `aria-invalid="true"`)
		rec = c.post("/settings/tokens", url.Values{"name": {strings.Repeat("n", 101)}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `value="`+strings.Repeat("n", 101)+`"`)
		wantStatus(t, c.post("/settings/tokens", url.Values{"name": {"backup"}, "csrf": {"forged"}}), http.StatusForbidden)
		if n := count(); n != 0 {
			t.Fatalf("%d tokens after refused creates", n)
		}

		// Created: the plaintext is on this page, once.
		rec = c.post("/settings/tokens", url.Values{"name": {"backup script"}})
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "Token created.", "Your new token &#34;backup script&#34;", "Authorization: Bearer atr_")
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("token page Cache-Control %q", cc)
		}
		plain := tokenIn.FindString(rec.Body.String())
		if plain == "" {
			t.Fatal("no token on the page")
		}
		who, err := u.svc.Tokens.Authenticate(ctx, plain)
		if err != nil || who.ID != alice.ID {
			t.Fatalf("token authenticates %v, %v", who, err)
		}
		list := c.get("/settings/tokens")
		wantBody(t, list, "backup script", "Revoke")
		wantNoBody(t, list, plain, "atr_")

		toks, err := u.svc.Tokens.List(ctx, alice.ID)
		if err != nil || len(toks) != 1 {
			t.Fatalf("tokens %v, %v", toks, err)
		}
		revoke := "/settings/tokens/" + toks[0].ID + "/revoke"
		wantStatus(t, c.post(revoke, url.Values{"csrf": {"forged"}}), http.StatusForbidden)
		wantStatus(t, u.login("bob").post(revoke, nil), http.StatusNotFound)
		if _, err := u.svc.Tokens.Authenticate(ctx, plain); err != nil {
			t.Fatalf("refused revokes revoked the token: %v", err)
		}

		wantRedirect(t, c.post(revoke, nil), "/settings/tokens?notice=token_revoked")
		if _, err := u.svc.Tokens.Authenticate(ctx, plain); !errors.Is(err, social.ErrNotFound) {
			t.Fatalf("revoked token still authenticates: %v", err)
		}
		rec = c.get("/settings/tokens?notice=token_revoked")
		wantBody(t, rec, "Token revoked.", "backup script", "revoked <time")
		wantNoBody(t, rec, `action="`+revoke+`"`)
		wantStatus(t, c.post("/settings/tokens/nope/revoke", nil), http.StatusNotFound)
	})
}
