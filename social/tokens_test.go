package social_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/social"
)

func TestTokensCreateValidation(t *testing.T) {
	cases := []struct {
		name, in, stored string
		want             map[string]string
	}{
		{"ok", "laptop", "laptop", nil},
		{"trimmed", "  ci bot  ", "ci bot", nil},
		{"100 runes", strings.Repeat("ü", 100), strings.Repeat("ü", 100), nil},
		{"empty", "", "", fields("name", "error.token.name")},
		{"blank", " \t ", "", fields("name", "error.token.name")},
		{"101 runes", strings.Repeat("ü", 101), "", fields("name", "error.token.name")},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				plain, tok, err := e.svc.Tokens.Create(e.ctx, mia.ID, c.in)
				wantFields(t, err, c.want)
				if c.want != nil {
					if plain != "" || tok != nil {
						t.Fatalf("token returned with error: %q %+v", plain, tok)
					}
					return
				}
				if tok.Name != c.stored || tok.AccountID != mia.ID || !strings.HasPrefix(plain, "atr_") || len(plain) != 47 {
					t.Fatalf("token %+v plain %q", tok, plain)
				}
				if tok.Hash != sessionID(plain) || strings.Contains(tok.Hash, plain) {
					t.Fatalf("hash %q is not the SHA-256 of the plaintext", tok.Hash)
				}
			})
		}
		if n := e.count("tokens", "1 = 1"); n != 3 {
			t.Fatalf("tokens = %d, want 3", n)
		}
	})
}

func TestTokensLifecycle(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia := e.member("mia")
		bob := e.member("bob")
		plainA, tokA, err := e.svc.Tokens.Create(e.ctx, mia.ID, "a")
		if err != nil {
			t.Fatal(err)
		}
		plainB, tokB, err := e.svc.Tokens.Create(e.ctx, mia.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		plainBob, tokBob, err := e.svc.Tokens.Create(e.ctx, bob.ID, "bob's")
		if err != nil {
			t.Fatal(err)
		}
		if plainA == plainB {
			t.Fatal("two tokens with the same plaintext")
		}

		// Authenticate resolves each token to its owner and records the use.
		cases := []struct {
			plain string
			want  string
		}{{plainA, mia.ID}, {plainB, mia.ID}, {plainBob, bob.ID}}
		for _, c := range cases {
			a, err := e.svc.Tokens.Authenticate(e.ctx, c.plain)
			if err != nil || a.ID != c.want {
				t.Fatalf("authenticate %q = %v, %v; want %s", c.plain, a, err, c.want)
			}
		}
		used := e.tokenByID(mia.ID, tokA.ID).LastUsedAt
		if used == nil {
			t.Fatal("last use not recorded")
		}
		// Within a minute the use is not written again; after it, it is.
		e.clock.Advance(30 * time.Second)
		if _, err := e.svc.Tokens.Authenticate(e.ctx, plainA); err != nil {
			t.Fatal(err)
		}
		if got := e.tokenByID(mia.ID, tokA.ID).LastUsedAt; !got.Equal(*used) {
			t.Fatalf("last use moved within a minute: %v -> %v", used, got)
		}
		e.clock.Advance(time.Minute)
		at := e.clock.Peek().Add(time.Millisecond)
		if _, err := e.svc.Tokens.Authenticate(e.ctx, plainA); err != nil {
			t.Fatal(err)
		}
		if got := e.tokenByID(mia.ID, tokA.ID).LastUsedAt; !got.Equal(at) {
			t.Fatalf("last use = %v, want %v", got, at)
		}

		for _, bad := range []string{"", "atr_", "atr_unknown", plainA[4:], "xyz_" + plainA[4:], plainA + strings.Repeat("x", 60)} {
			_, err := e.svc.Tokens.Authenticate(e.ctx, bad)
			wantErr(t, err, social.ErrNotFound)
		}

		list, err := e.svc.Tokens.List(e.ctx, mia.ID)
		if err != nil || len(list) != 2 || list[0].ID != tokB.ID || list[1].ID != tokA.ID {
			t.Fatalf("list = %v, %v; want b, a", list, err)
		}
		if list[0].Hash != tokB.Hash {
			t.Fatalf("listed hash %q", list[0].Hash)
		}

		// Another user's token cannot be revoked; unknown ones neither.
		wantErr(t, e.svc.Tokens.Revoke(e.ctx, mia.ID, tokBob.ID), social.ErrNotFound)
		wantErr(t, e.svc.Tokens.Revoke(e.ctx, mia.ID, "01NOSUCHTOKEN0000000000000"), social.ErrNotFound)
		if _, err := e.svc.Tokens.Authenticate(e.ctx, plainBob); err != nil {
			t.Fatalf("bob's token after mia's revoke attempt: %v", err)
		}

		revokedAt := e.clock.Peek().Add(time.Millisecond)
		if err := e.svc.Tokens.Revoke(e.ctx, mia.ID, tokA.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Tokens.Authenticate(e.ctx, plainA)
		wantErr(t, err, social.ErrNotFound)
		if _, err := e.svc.Tokens.Authenticate(e.ctx, plainB); err != nil {
			t.Fatalf("other token revoked too: %v", err)
		}
		if got := e.tokenByID(mia.ID, tokA.ID).RevokedAt; got == nil || !got.Equal(revokedAt) {
			t.Fatalf("revoked at %v, want %v", got, revokedAt)
		}
		// Revoking twice is not found: there is no live token left to revoke.
		wantErr(t, e.svc.Tokens.Revoke(e.ctx, mia.ID, tokA.ID), social.ErrNotFound)
		if got := e.tokenByID(mia.ID, tokA.ID).RevokedAt; !got.Equal(revokedAt) {
			t.Fatalf("second revoke moved revoked_at to %v", got)
		}
		list, _ = e.svc.Tokens.List(e.ctx, mia.ID)
		if len(list) != 2 {
			t.Fatalf("revoked tokens must stay listed, got %d", len(list))
		}
		if list, _ := e.svc.Tokens.List(e.ctx, "01NOSUCHACCOUNT00000000000"); len(list) != 0 {
			t.Fatalf("unknown account has tokens %v", list)
		}
	})
}
