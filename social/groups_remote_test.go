package social_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestRemoteUpsertGroup(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		in := model.Group{Name: "chess", Domain: "127.0.0.1:8081", URI: "http://127.0.0.1:8081/groups/chess",
			InboxURI: "http://127.0.0.1:8081/groups/chess/inbox", Kind: model.GroupClosed,
			DescriptionHTML: `<p>Moves<script>alert(1)</script></p>`, PrivateKeyPEM: "secret", PreModeration: true}
		g, err := e.svc.Remote.UpsertGroup(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(g.DescriptionHTML, "script") || g.DisplayName != "chess" || g.PrivateKeyPEM != "" ||
			!g.PreModeration || g.FetchedAt == nil || g.Local() {
			t.Errorf("stored %+v", g)
		}
		in.DisplayName, in.PreModeration = "Chess club", false
		again, err := e.svc.Remote.UpsertGroup(e.ctx, in)
		if err != nil || again.ID != g.ID || again.DisplayName != "Chess club" || again.PreModeration {
			t.Errorf("refresh: %+v %v", again, err)
		}
		for _, c := range []struct {
			name   string
			change func(*model.Group)
			want   error
		}{
			{"this node", func(g *model.Group) {
				g.Domain, g.URI = "127.0.0.1:8080", "http://127.0.0.1:8080/groups/x"
			}, social.ErrForbidden},
			{"site-only", func(g *model.Group) { g.SiteOnly = true }, social.ErrForbidden},
		} {
			bad := in
			c.change(&bad)
			if _, err := e.svc.Remote.UpsertGroup(e.ctx, bad); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		var ve *social.ValidationError
		for name, change := range map[string]func(*model.Group){
			"bad name":  func(g *model.Group) { g.Name = "Bad Name" },
			"bad kind":  func(g *model.Group) { g.Kind = "public" },
			"no domain": func(g *model.Group) { g.Domain = "" },
		} {
			bad := in
			change(&bad)
			if _, err := e.svc.Remote.UpsertGroup(e.ctx, bad); !errors.As(err, &ve) {
				t.Errorf("%s: %v, want a validation error", name, err)
			}
		}
	})
}
