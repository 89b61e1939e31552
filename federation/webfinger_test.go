package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseAcct(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Acct
		ok   bool
	}{
		{"acct:alice@127.0.0.1:8081", Acct{"alice", "127.0.0.1:8081"}, true},
		{"alice@Node.Example", Acct{"alice", "node.example"}, true},
		{"@alice@node.example:8443", Acct{"alice", "node.example:8443"}, true},
		{"acct:a.b-c_d@[::1]:8081", Acct{"a.b-c_d", "[::1]:8081"}, true},
		{"acct:alice", Acct{}, false},
		{"acct:@node.example", Acct{}, false},
		{"acct:alice@", Acct{}, false},
		{"acct:alice@evil@node.example", Acct{}, false},
		{"acct:alice@node.example/path", Acct{}, false},
		{"acct:alice@node.example?x=1", Acct{}, false},
		{"acct:alice@node.example#frag", Acct{}, false},
		{"acct:alice@node.example:99999", Acct{}, false},
		{"acct:alice@node.example:0", Acct{}, false},
		{"acct:alice@node.example:http", Acct{}, false},
		{"acct:alice@under_score.example", Acct{}, false},
		{"acct:al ice@node.example", Acct{}, false},
		{"acct:" + strings.Repeat("a", 65) + "@node.example", Acct{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAcct(tc.in)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if !tc.ok {
				if !errors.Is(err, ErrInvalidAcct) {
					t.Errorf("err = %v, want ErrInvalidAcct", err)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if back, err := ParseAcct(got.String()); err != nil || back != got {
				t.Errorf("round trip of %s: %+v, %v", got, back, err)
			}
		})
	}
	if h := (Acct{"alice", "127.0.0.1:8081"}).Handle(); h != "@alice@127.0.0.1:8081" {
		t.Errorf("Handle = %q", h)
	}
}

func TestJRD(t *testing.T) {
	acct := Acct{"alice", "127.0.0.1:8081"}
	j := NewJRD(acct, aliceActor, "http://127.0.0.1:8081/@alice")
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["subject"] != "acct:alice@127.0.0.1:8081" {
		t.Errorf("subject %v", m["subject"])
	}
	links := m["links"].([]interface{})
	self := links[0].(map[string]interface{})
	if self["rel"] != "self" || self["type"] != "application/activity+json" || self["href"] != aliceActor {
		t.Errorf("self link %v", self)
	}
	if got, err := j.ActorURI(); err != nil || got != aliceActor {
		t.Errorf("ActorURI = %q, %v", got, err)
	}
	for name, links := range map[string][]Link{
		"none":        nil,
		"html only":   {{Rel: RelSelf, Type: "text/html", Href: aliceActor}},
		"bad href":    {{Rel: RelSelf, Type: "application/activity+json", Href: "javascript:alert(1)"}},
		"other rel":   {{Rel: RelProfilePage, Type: "application/activity+json", Href: aliceActor}},
		"bad profile": {{Rel: RelSelf, Type: `application/ld+json; profile="x"`, Href: aliceActor}},
	} {
		if _, err := (JRD{Subject: acct.String(), Links: links}).ActorURI(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ld := JRD{Links: []Link{{Rel: RelSelf, Type: `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, Href: aliceActor}}}
	if got, err := ld.ActorURI(); err != nil || got != aliceActor {
		t.Errorf("ld+json self link: %q, %v", got, err)
	}
}

// webfingerServer answers like a node would, with answer deciding the JRD per acct.
func webfingerServer(t *testing.T, answer func(host string, a Acct) (int, interface{})) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != WebFingerPath {
			http.NotFound(w, r)
			return
		}
		a, err := ParseAcct(r.URL.Query().Get("resource"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		status, body := answer(r.Host, a)
		w.Header().Set("Content-Type", JRDContentType)
		w.WriteHeader(status)
		if s, ok := body.(string); ok {
			w.Write([]byte(s))
			return
		}
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestWebFingerResolve(t *testing.T) {
	srv := webfingerServer(t, func(host string, a Acct) (int, interface{}) {
		base := "http://" + host
		switch a.User {
		case "alice":
			return 200, NewJRD(a, base+"/users/alice", base+"/@alice")
		case "liar":
			return 200, NewJRD(a, "http://127.0.0.1:1/users/liar", "")
		case "other":
			return 200, NewJRD(Acct{"alice", a.Host}, base+"/users/alice", "")
		case "huge":
			return 200, `{"subject":"` + strings.Repeat("x", MaxJRDBytes) + `"}`
		case "garbage":
			return 200, "<html>"
		case "nolink":
			return 200, JRD{Subject: a.String()}
		}
		return 404, "not found"
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &WebFingerClient{HTTP: srv.Client(), Scheme: "http"}

	got, err := c.Resolve(context.Background(), Acct{"alice", host})
	if err != nil || got != srv.URL+"/users/alice" {
		t.Fatalf("Resolve(alice) = %q, %v", got, err)
	}
	for _, user := range []string{"liar", "other", "huge", "garbage", "nolink", "nobody"} {
		t.Run(user, func(t *testing.T) {
			got, err := c.Resolve(context.Background(), Acct{user, host})
			if err == nil {
				t.Errorf("accepted %q", got)
			}
			// Only a 404 means "no such account"; broken answers are errors of the node.
			if errors.Is(err, ErrNoSuchAcct) != (user == "nobody") {
				t.Errorf("%s: %v", user, err)
			}
		})
	}
	if _, err := (&WebFingerClient{Scheme: "ftp"}).Resolve(context.Background(), Acct{"alice", host}); err == nil {
		t.Error("accepted scheme ftp")
	}
}

func TestWebFingerResolveSigned(t *testing.T) {
	v := NewVerifier(keyring{aliceKeyID: {&testKey(t, 1).PublicKey, aliceActor}}, fixedClock(t0))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := v.Verify(r); err != nil {
			http.Error(w, err.Error(), StatusCode(err))
			return
		}
		a, _ := ParseAcct(r.URL.Query().Get("resource"))
		json.NewEncoder(w).Encode(NewJRD(a, "http://"+r.Host+"/users/"+a.User, ""))
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	unsigned := &WebFingerClient{HTTP: srv.Client(), Scheme: "http"}
	if _, err := unsigned.Resolve(context.Background(), Acct{"bob", host}); err == nil {
		t.Error("unsigned query answered")
	}
	s, err := NewSigner(aliceKeyID, testKey(t, 1), fixedClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	signed := &WebFingerClient{HTTP: srv.Client(), Scheme: "http", Signer: s}
	if got, err := signed.Resolve(context.Background(), Acct{"bob", host}); err != nil || got != srv.URL+"/users/bob" {
		t.Errorf("signed Resolve = %q, %v", got, err)
	}
}
