package federation

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets for the header and resource parsers that face unauthenticated input.
// Short runs happen in CI (.ci/run); see docs/security.md for longer ones.

func FuzzParseSignatureHeader(f *testing.F) {
	for _, s := range []string{
		`keyId="http://127.0.0.1:8081/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`,
		`keyId="k",algorithm="hs2019",signature="c2ln"`,
		`keyId="k", headers="date", signature="x"`,
		`keyId="k",signature="x",created="1"`,
		`keyId="k",signature="x",expires="1"`,
		`keyId=x,signature=y`,
		`keyId="k",keyId="k",signature="x"`,
		`keyId="k",headers="a  b",signature="x"`,
		`keyId="k",signature="x`,
		`keyId="k" signature="x"`,
		`=""`, `,`, `"`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Signature", v)
		p, err := parseSignatureHeader(h)
		if err != nil {
			return
		}
		if p.keyID == "" || p.signature == "" {
			t.Fatalf("%q accepted without keyId or signature: %+v", v, p)
		}
		if len(p.headers) == 0 {
			t.Fatalf("%q accepted with no covered headers", v)
		}
		for _, x := range p.headers {
			if x == "" || x == "(created)" || x == "(expires)" {
				t.Fatalf("%q accepted covering %q", v, x)
			}
		}
		if strings.Contains(p.keyID, `"`) || strings.Contains(p.signature, `"`) {
			t.Fatalf("%q: a quote leaked into a value: %+v", v, p)
		}
	})
}

func FuzzParseAcct(f *testing.F) {
	for _, s := range []string{
		"acct:alice@127.0.0.1:8081", "alice@Node.Example", "@alice@node.example:8443", "acct:a.b-c_d@[::1]:8081",
		"acct:alice", "acct:@node.example", "acct:alice@", "acct:alice@evil@node.example",
		"acct:alice@node.example/path", "acct:alice@node.example?x=1", "acct:alice@node.example#frag",
		"acct:alice@node.example:99999", "acct:alice@node.example:0", "acct:alice@node.example:http",
		"acct:alice@under_score.example", "acct:al ice@node.example", "acct:alice@[fe80::1%25eth0]:8081",
		"acct:alice@xn--nxasmq6b.example", "acct:alice@1.2.3.4:65535", "acct:alice@node.example:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resource string) {
		a, err := ParseAcct(resource)
		if err != nil {
			return
		}
		if a.Host != strings.ToLower(a.Host) {
			t.Fatalf("%q: host %q not lower-cased", resource, a.Host)
		}
		for _, form := range []string{a.String(), a.Handle()} {
			back, err := ParseAcct(form)
			if err != nil || back != a {
				t.Fatalf("%q: %q parses as %+v, %v; want %+v", resource, form, back, err, a)
			}
		}
		// The lookup must go to the named host and nowhere else.
		u, err := url.Parse(WebFingerURL("https", a))
		if err != nil {
			t.Fatalf("%q: WebFinger URL: %v", resource, err)
		}
		if u.Host != a.Host || u.Path != WebFingerPath || u.User != nil {
			t.Fatalf("%q: WebFinger URL %q leaves host %q", resource, u, a.Host)
		}
		if got := u.Query().Get("resource"); got != a.String() {
			t.Fatalf("%q: WebFinger URL asks for %q, want %q", resource, got, a.String())
		}
	})
}
