package main

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/node"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestInviteCommand(t *testing.T) {
	vars := map[string]string{"ATRIUM_DATA_DIR": t.TempDir(), "ATRIUM_BASE_URL": "https://berlin.example"}
	ctx := context.Background()
	if _, err := runCmd(t, ctx, vars, "", "admin", "user", "create", "--username", "ada", "--email", "ada@example.com", "--admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, ctx, vars, "", "admin", "user", "create", "--username", "bob", "--email", "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	// No command makes groups: one is made through the node itself.
	cfg, err := config.Load("", func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(ctx, cfg, slog.New(slog.DiscardHandler), node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ada, err := n.Social.Accounts.ByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Social.Groups.Create(ctx, ada, social.GroupInput{Name: "launch", DisplayName: "Launch", Kind: model.GroupSecret}); err != nil {
		t.Fatal(err)
	}
	_ = n.Close()

	out, err := runCmd(t, ctx, vars, "", "admin", "invite", "create", "--email", "carol@partner.example",
		"--group", "launch", "--days", "30", "--by", "ada")
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	if !regexp.MustCompile(`(?m)^https://berlin\.example/invite/[A-Za-z0-9_-]{43}$`).MatchString(out) ||
		!strings.Contains(out, "not mailed") || !strings.Contains(out, "lasts 30 days") {
		t.Fatalf("output %q", out)
	}
	for _, args := range [][]string{
		{"--email", "x@partner.example", "--group", "nope", "--by", "ada"},
		{"--email", "x@partner.example", "--group", "launch", "--by", "nobody"},
		{"--email", "x@partner.example", "--group", "launch", "--by", "bob"},
		{"--email", "not mail", "--group", "launch", "--by", "ada"},
		{"--email", "x@partner.example", "--by", "ada"},
	} {
		if out, err := runCmd(t, ctx, vars, "", append([]string{"admin", "invite", "create"}, args...)...); err == nil {
			t.Errorf("%v: accepted, printed %q", args, out)
		}
	}
}
