package activitypub

import (
	"errors"
	"testing"

	"github.com/go-fed/activity/streams"
)

func TestOrigin(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"http://127.0.0.1:8081/users/alice", "http://127.0.0.1:8081", true},
		{"https://Node.Example/users/alice", "https://node.example:443", true},
		{"https://node.example:443/x", "https://node.example:443", true},
		{"http://node.example/x", "http://node.example:80", true},
		{"http://[::1]:8081/x", "http://[::1]:8081", true},
		{"/users/alice", "", false},
		{"http:opaque", "", false},
		{"mailto:alice@node.example", "", false},
		{"http://alice:pw@node.example/", "", false},
		{"", "", false},
	} {
		got, err := Origin(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("Origin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if !tc.ok && tc.want == "" && err == nil {
			t.Errorf("Origin(%q) = %q, want an error", tc.in, got)
		}
		if err != nil && !errors.Is(err, ErrInvalidIRI) {
			t.Errorf("Origin(%q) error %v does not wrap ErrInvalidIRI", tc.in, err)
		}
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"http://127.0.0.1:8081/users/a", "http://127.0.0.1:8081/posts/1", true},
		{"http://127.0.0.1:8081/users/a", "http://127.0.0.1:8082/users/a", false},
		{"http://node.example/users/a", "https://node.example/users/a", false},
		{"https://node.example/users/a", "https://NODE.example:443/inbox", true},
		{"http://127.0.0.1:8081/users/a", "not a url", false},
	} {
		if got := SameOrigin(tc.a, tc.b); got != tc.same {
			t.Errorf("SameOrigin(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestSerializeKeepsForeignContext(t *testing.T) {
	// An Emoji is a toot type: its vocabulary must survive our @context replacement.
	e := streams.NewTootEmoji()
	m, err := Serialize(origin, e)
	if err != nil {
		t.Fatal(err)
	}
	ctx := m["@context"].([]interface{})
	if ctx[0] != ActivityStreamsContext || ctx[1] != SecurityContext {
		t.Errorf("context starts %v", ctx[:2])
	}
	if _, ok := ctx[len(ctx)-1].(map[string]interface{})[Prefix]; !ok {
		t.Errorf("Atrium terms are not last: %v", ctx)
	}
	if len(ctx) != 4 {
		t.Errorf("toot vocabulary lost: %v", ctx)
	}
}
