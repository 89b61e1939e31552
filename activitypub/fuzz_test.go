package activitypub

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/model"
)

// Fuzz targets for the conversion of remote ActivityStreams JSON into the internal model.
// Each input must either be refused with an error or yield a result that keeps the
// promises the inbox relies on: every IRI parses, ids sit on their actor's node, and
// every list and text is within its bound. Short runs happen in CI (.ci/run); see
// docs/security.md for longer ones.

// addTestdata seeds f with every JSON document under testdata whose name has prefix.
func addTestdata(f *testing.F, prefixes ...string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				b, err := os.ReadFile(file)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
				break
			}
		}
	}
}

func FuzzParseActivity(f *testing.F) {
	addTestdata(f, "in_", "out_")
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"type":"Create"}`,
		`{"type":"Undo","id":"http://a.example/1","actor":"http://a.example/u","object":{"type":"Undo","id":"http://a.example/2","actor":"http://a.example/u","object":{"type":"Like","id":"http://a.example/3","actor":"http://a.example/u","object":"http://b.example/p"}}}`,
		`{"type":"Update","id":"http://a.example/1","actor":"http://a.example/g","object":{"type":"Group","id":"http://a.example/g"}}`,
		`{"type":"Create","id":"http://a.example/1","actor":"http://a.example/u","object":{"type":"Note","id":"http://b.example/n"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseActivity(context.Background(), b)
		if err != nil {
			return
		}
		checkActivity(t, a, 0)
	})
}

func FuzzParsePerson(f *testing.F) {
	addTestdata(f, "atrium_person", "mastodon_person", "out_update_person", "in_update_person")
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Person","id":"http://a.example/u"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePerson(context.Background(), b)
		if err != nil {
			return
		}
		checkActor(t, p)
	})
}

func FuzzParseGroup(f *testing.F) {
	key := seedPublicPEM(f)
	for _, g := range []*model.Group{
		{Name: "hiking", DisplayName: "Hiking", Kind: model.GroupOpen, DescriptionHTML: "<p>Up the hills</p>"},
		{Name: "hr", Kind: model.GroupSecret, SiteOnly: true, PreModeration: true},
	} {
		g.URI = "http://127.0.0.1:8080/groups/" + g.Name
		g.InboxURI, g.SharedInboxURI, g.PublicKeyPEM = g.URI+"/inbox", "http://127.0.0.1:8080/inbox", key
		doc, err := GroupToAS("http://127.0.0.1:8080", g)
		if err != nil {
			f.Fatal(err)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"Group","id":"http://a.example/groups/g","preferredUsername":"g","inbox":"http://a.example/groups/g/inbox"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGroup(b)
		if err != nil {
			return
		}
		checkGroup(t, g)
	})
}

// seedPublicPEM is the PKIX PEM of a shared test key, for seeds.
func seedPublicPEM(f *testing.F) string {
	b, err := os.ReadFile(filepath.Join("..", "internal", "testrig", "keys", "key1.pem"))
	if err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		f.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	if err != nil {
		f.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// checkIRI fails t unless s is an acceptable remote IRI.
func checkIRI(t *testing.T, what, s string) {
	t.Helper()
	if _, err := ParseIRI(s); err != nil {
		t.Fatalf("%s %q accepted but does not parse: %v", what, s, err)
	}
}

// checkSameOrigin fails t unless iri is on base's node.
func checkSameOrigin(t *testing.T, what, base, iri string) {
	t.Helper()
	if !SameOrigin(base, iri) {
		t.Fatalf("%s %q accepted on another node than %q", what, iri, base)
	}
}

func checkActivity(t *testing.T, a *RemoteActivity, depth int) {
	t.Helper()
	if depth > maxNesting {
		t.Fatalf("activities nested %d deep accepted", depth)
	}
	if a.Type == "" {
		t.Fatal("activity without a type accepted")
	}
	checkIRI(t, "id", a.ID)
	checkIRI(t, "actor", a.ActorURI)
	checkSameOrigin(t, "actor", a.ID, a.ActorURI)
	if len(a.Content) > MaxFieldBytes {
		t.Fatalf("content of %d bytes accepted", len(a.Content))
	}
	if a.ObjectID != "" {
		checkIRI(t, "object", a.ObjectID)
	}
	switch a.Type {
	case TypeCreate, TypeUpdate, TypeDelete:
		checkSameOrigin(t, "object", a.ActorURI, a.ObjectID)
	}
	if a.Note != nil {
		checkNote(t, a.Note)
		if a.Note.Post.URI != a.ObjectID {
			t.Fatalf("note %q differs from object id %q", a.Note.Post.URI, a.ObjectID)
		}
	}
	if a.Person != nil {
		checkActor(t, a.Person)
		if a.Person.Account.URI != a.ActorURI {
			t.Fatalf("Update by %q of another person %q accepted", a.ActorURI, a.Person.Account.URI)
		}
	}
	if a.Group != nil {
		checkGroup(t, a.Group)
		if a.Group.Group.URI != a.ActorURI {
			t.Fatalf("Update by %q of another group %q accepted", a.ActorURI, a.Group.Group.URI)
		}
	}
	if a.Object != nil {
		checkActivity(t, a.Object, depth+1)
		if a.Type == TypeUndo && a.Object.ActorURI != a.ActorURI {
			t.Fatalf("Undo by %q of an activity by %q accepted", a.ActorURI, a.Object.ActorURI)
		}
	}
}

func checkNote(t *testing.T, n *RemoteNote) {
	t.Helper()
	checkIRI(t, "note id", n.Post.URI)
	checkIRI(t, "attributedTo", n.AuthorURI)
	checkSameOrigin(t, "attributedTo", n.Post.URI, n.AuthorURI)
	if len(n.ContentHTML) > MaxContentBytes || len(n.Post.Source) > MaxContentBytes {
		t.Fatalf("content of %d bytes (source %d) accepted", len(n.ContentHTML), len(n.Post.Source))
	}
	if len(n.To) > MaxRecipients || len(n.Cc) > MaxRecipients {
		t.Fatalf("%d to and %d cc recipients accepted", len(n.To), len(n.Cc))
	}
	for _, r := range append(append([]string{}, n.To...), n.Cc...) {
		checkIRI(t, "recipient", r)
		if IsPublic(r) {
			t.Fatalf("public addressing %q accepted", r)
		}
	}
	if n.InReplyToURI != "" {
		checkIRI(t, "inReplyTo", n.InReplyToURI)
	}
	if n.GroupURI != "" {
		checkIRI(t, "group audience", n.GroupURI)
	}
	if len(n.Mentions)+len(n.Hashtags) > MaxTags {
		t.Fatalf("%d tags accepted", len(n.Mentions)+len(n.Hashtags))
	}
	if !n.Post.Audience.Valid() {
		t.Fatalf("audience %q accepted", n.Post.Audience)
	}
	if n.Post.CreatedAt.IsZero() {
		t.Fatal("note without a publication time accepted")
	}
}

func checkActor(t *testing.T, p *RemoteActor) {
	t.Helper()
	a := p.Account
	checkIRI(t, "actor id", a.URI)
	if err := validUsername(a.Username); err != nil {
		t.Fatalf("username accepted: %v", err)
	}
	checkIRI(t, "inbox", a.InboxURI)
	checkSameOrigin(t, "inbox", a.URI, a.InboxURI)
	if a.SharedInboxURI != "" {
		checkSameOrigin(t, "shared inbox", a.URI, a.SharedInboxURI)
	}
	if p.PublicKeyID != "" {
		checkSameOrigin(t, "key id", a.URI, p.PublicKeyID)
	}
	if a.Role == model.RoleAdmin {
		t.Fatal("remote admin accepted")
	}
	if len(a.DisplayName) > MaxFieldBytes || len(a.JobTitle) > MaxFieldBytes || len(a.Department) > MaxFieldBytes ||
		len(a.Site) > MaxFieldBytes || len(p.SummaryHTML) > MaxContentBytes {
		t.Fatalf("overlong profile field accepted: %+v", a)
	}
	if len(p.Skills) > MaxSkills {
		t.Fatalf("%d skills accepted", len(p.Skills))
	}
	if p.ManagerURI != "" {
		checkIRI(t, "manager", p.ManagerURI)
	}
}

func checkGroup(t *testing.T, g *RemoteGroup) {
	t.Helper()
	gr := g.Group
	checkIRI(t, "group id", gr.URI)
	checkIRI(t, "group inbox", gr.InboxURI)
	checkSameOrigin(t, "group inbox", gr.URI, gr.InboxURI)
	if gr.SharedInboxURI != "" {
		checkSameOrigin(t, "group shared inbox", gr.URI, gr.SharedInboxURI)
	}
	if err := validUsername(gr.Name); err != nil {
		t.Fatalf("group name accepted: %v", err)
	}
	if len(gr.DisplayName) > MaxFieldBytes || len(gr.DescriptionHTML) > MaxContentBytes {
		t.Fatalf("overlong group name (%d) or description (%d) accepted", len(gr.DisplayName), len(gr.DescriptionHTML))
	}
	if !gr.Kind.Valid() {
		t.Fatalf("group kind %q accepted", gr.Kind)
	}
	for _, pic := range []string{g.AvatarURL, g.BannerURL} {
		if pic != "" {
			checkSameOrigin(t, "group picture", gr.URI, pic)
		}
	}
}

// TestParseGroupHostileFields keeps what FuzzParseGroup found: a group name that is no
// handle-safe name, and unbounded name and description texts, were accepted.
func TestParseGroupHostileFields(t *testing.T) {
	for name, change := range map[string]func(map[string]interface{}){
		"path in name":     func(d map[string]interface{}) { d["preferredUsername"] = "../admin" },
		"markup in name":   func(d map[string]interface{}) { d["preferredUsername"] = "<b>x</b>" },
		"overlong name":    func(d map[string]interface{}) { d["preferredUsername"] = strings.Repeat("g", 65) },
		"overlong display": func(d map[string]interface{}) { d["name"] = strings.Repeat("n", MaxFieldBytes+1) },
		"overlong summary": func(d map[string]interface{}) { d["summary"] = strings.Repeat("s", MaxContentBytes+1) },
	} {
		t.Run(name, func(t *testing.T) {
			d, err := GroupToAS("http://127.0.0.1:8080", testGroup(t))
			if err != nil {
				t.Fatal(err)
			}
			change(d)
			b, _ := json.Marshal(d)
			if _, err := ParseGroup(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestJSONDepthLimit(t *testing.T) {
	deep := func(n int) []byte {
		return []byte(`{"type":"Create","id":"http://a.example/1","actor":"http://a.example/u","x":` +
			strings.Repeat("[", n) + strings.Repeat("]", n) + `,"object":"http://a.example/n"}`)
	}
	if _, err := ParseActivity(context.Background(), deep(MaxJSONDepth-1)); err != nil {
		t.Fatalf("nesting within the limit refused: %v", err)
	}
	for name, parse := range map[string]func([]byte) error{
		"activity": func(b []byte) error { _, err := ParseActivity(context.Background(), b); return err },
		"person":   func(b []byte) error { _, err := ParsePerson(context.Background(), b); return err },
		"group":    func(b []byte) error { _, err := ParseGroup(b); return err },
	} {
		if err := parse(deep(10_000)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "nested too deep") {
			t.Errorf("%s: deep document: err = %v, want a nesting refusal", name, err)
		}
	}
	// Brackets inside strings do not count.
	if err := checkDepth([]byte(`{"a":"` + strings.Repeat("[", 100) + `\"{"}`)); err != nil {
		t.Errorf("brackets in a string counted: %v", err)
	}
}
