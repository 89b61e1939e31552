package social_test

import (
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

func TestCanonicalOrigin(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"http://127.0.0.1:8082", "http://127.0.0.1:8082"},
		{"  HTTP://Munich.Example.COM/ ", "http://munich.example.com:80"},
		{"https://munich.example.com", "https://munich.example.com:443"},
		{"https://munich.example.com:0443", "https://munich.example.com:443"},
		{"http://[::1]:8082/", "http://[::1]:8082"},
		{"http://[2001:DB8::1]", "http://[2001:db8::1]:80"},
		{"ftp://munich.example.com", ""},
		{"munich.example.com", ""},
		{"munich.example.com:8080", ""},
		{"//munich.example.com", ""},
		{"http://", ""},
		{"http://:8080", ""},
		{"http://munich.example.com:", ""},
		{"http://munich.example.com:0", ""},
		{"http://munich.example.com:65536", ""},
		{"http://munich.example.com:http", ""},
		{"http://munich.example.com/atrium", ""},
		{"http://munich.example.com/?a=b", ""},
		{"http://munich.example.com/?", ""},
		{"http://munich.example.com/#top", ""},
		{"http://admin:secret@munich.example.com", ""},
		{"http://[fe80::1%25eth0]:8080", ""},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := social.CanonicalOrigin(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("want error, got %q", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSystemActor(t *testing.T) {
	a := social.SystemActor()
	if !a.IsAdmin() || a.ID != "" || !a.Local() {
		t.Fatalf("system actor: %+v", a)
	}
}

func TestPeersAdd(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		for _, tc := range []struct {
			name, url, trust, peerName string
			want                       map[string]string
		}{
			{"bad url", "munich", "sibling", "", fields("url", "error.peer.url")},
			{"path", "http://127.0.0.1:8082/users/ada", "sibling", "", fields("url", "error.peer.url")},
			{"self", "HTTP://127.0.0.1:8080/", "sibling", "", fields("url", "error.peer.self")},
			{"trust", "http://127.0.0.1:8082", "friend", "", fields("trust", "error.peer.trust")},
			{"no trust", "http://127.0.0.1:8082", "", "", fields("trust", "error.peer.trust")},
			{"long name", "http://127.0.0.1:8082", "sibling", strings.Repeat("n", 101), fields("name", "error.too_long")},
			{"all wrong", "x", "y", strings.Repeat("n", 101), fields("url", "error.peer.url", "trust", "error.peer.trust", "name", "error.too_long")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.Peers.Add(e.ctx, root, tc.url, model.Trust(tc.trust), tc.peerName)
				wantFields(t, err, tc.want)
			})
		}
		if n := e.count("peers", "1 = 1"); n != 0 {
			t.Fatalf("refused adds stored %d peers", n)
		}

		p, err := e.svc.Peers.Add(e.ctx, root, "http://127.0.0.1:8082/", model.TrustSibling, "  Munich ")
		if err != nil {
			t.Fatal(err)
		}
		if p.Origin != "http://127.0.0.1:8082" || p.Trust != model.TrustSibling || p.Name != "Munich" || p.CreatedAt.IsZero() {
			t.Fatalf("added: %+v", p)
		}
		created := p.CreatedAt
		// Adding again changes trust and name and keeps the creation time.
		p, err = e.svc.Peers.Add(e.ctx, root, "HTTP://127.0.0.1:8082", model.TrustPartner, "Munich GmbH")
		if err != nil {
			t.Fatal(err)
		}
		if p.Trust != model.TrustPartner || p.Name != "Munich GmbH" || !p.CreatedAt.Equal(created) || !p.UpdatedAt.After(created) {
			t.Fatalf("updated: %+v", p)
		}
		if _, err := e.svc.Peers.Add(e.ctx, social.SystemActor(), "https://zurich.example.com", model.TrustSibling, ""); err != nil {
			t.Fatalf("system actor adds: %v", err)
		}
		list, err := e.svc.Peers.List(e.ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		var origins []string
		for _, p := range list {
			origins = append(origins, p.Origin)
		}
		if strings.Join(origins, " ") != "http://127.0.0.1:8082 https://zurich.example.com:443" {
			t.Fatalf("list: %v", origins)
		}
	})
}

func TestPeersAdminOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		if _, err := e.svc.Peers.Add(e.ctx, root, "http://127.0.0.1:8082", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		for _, who := range []*model.Account{e.member("bob"), e.guest("gus")} {
			_, err := e.svc.Peers.Add(e.ctx, who, "http://127.0.0.1:8083", model.TrustSibling, "")
			wantErr(t, err, social.ErrForbidden)
			_, err = e.svc.Peers.List(e.ctx, who)
			wantErr(t, err, social.ErrForbidden)
			wantErr(t, e.svc.Peers.Remove(e.ctx, who, "http://127.0.0.1:8082"), social.ErrForbidden)
		}
		if n := e.count("peers", "1 = 1"); n != 1 {
			t.Fatalf("peers: %d, want 1", n)
		}
	})
}

func TestPeersRemove(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		root := e.admin("root")
		if _, err := e.svc.Peers.Add(e.ctx, root, "http://127.0.0.1:8082", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		pending := e.delivery("http://127.0.0.1:8082", model.DeliveryPending)
		done := e.delivery("http://127.0.0.1:8082", model.DeliveryDelivered)
		wantFields(t, e.svc.Peers.Remove(e.ctx, root, "not a url"), fields("url", "error.peer.url"))
		wantErr(t, e.svc.Peers.Remove(e.ctx, root, "http://127.0.0.1:8083"), social.ErrNotFound)
		// Any spelling of the origin finds the peer.
		if err := e.svc.Peers.Remove(e.ctx, root, "HTTP://127.0.0.1:8082/"); err != nil {
			t.Fatal(err)
		}
		if n := e.count("peers", "1 = 1"); n != 0 {
			t.Fatalf("peer still there: %d", n)
		}
		if got := e.deliveryStatus(pending.ID); got != model.DeliveryCancelled {
			t.Fatalf("pending delivery is %s, want cancelled", got)
		}
		if got := e.deliveryStatus(done.ID); got != model.DeliveryDelivered {
			t.Fatalf("delivered delivery is %s", got)
		}
		wantErr(t, e.svc.Peers.Remove(e.ctx, root, "http://127.0.0.1:8082"), social.ErrNotFound)
	})
}
