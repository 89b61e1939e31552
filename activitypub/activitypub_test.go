package activitypub

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

var update = flag.Bool("update", false, "rewrite the Atrium-produced testdata files")

const origin = "http://127.0.0.1:8081"

// publicPEM reads a private test key of the shared test kit and returns its public half.
func publicPEM(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testrig", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got with testdata/name as JSON values, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var want, have interface{}
	if err := json.Unmarshal(readTestdata(t, name), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, have) {
		t.Errorf("%s differs from output (run go test -update to accept):\n%s", name, got)
	}
}

func alice(t *testing.T) *model.Account {
	u := model.NewURIs(origin)
	return &model.Account{
		Username:       "alice",
		URI:            u.Actor("alice"),
		InboxURI:       u.Inbox("alice"),
		SharedInboxURI: u.SharedInbox(),
		Role:           model.RoleAdmin,
		DisplayName:    "Alice Anders",
		JobTitle:       "Head of Plant",
		Department:     "Operations",
		Site:           "Hamburg",
		AboutHTML:      "<p>Runs the plant.</p>",
		PublicKeyPEM:   publicPEM(t, "key1.pem"),
		Manager:        &model.Account{URI: "http://127.0.0.1:8082/users/carol"},
	}
}

func TestContextDocument(t *testing.T) {
	b, err := ContextDocument(origin)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context map[string]interface{} `json:"@context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Context[Prefix]; got != origin+"/ns#" {
		t.Errorf("prefix %q expands to %v", Prefix, got)
	}
	for _, term := range []string{TermRole, TermSite, TermDepartment, TermJobTitle, TermManager, TermGuestExpires, TermGroupKind, TermSiteOnly} {
		if _, ok := doc.Context[term]; !ok {
			t.Errorf("context document lacks %s", term)
		}
	}
	ctx := Context(origin)
	if ctx[0] != ActivityStreamsContext || ctx[1] != SecurityContext {
		t.Errorf("outgoing @context starts with %v", ctx[:2])
	}
}

func TestPersonRoundTrip(t *testing.T) {
	a := alice(t)
	expires := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	p, err := PersonToAS(a, PersonExtras{IconURL: origin + "/media/avatars/alice.webp", IconMediaType: "image/webp", GuestExpires: &expires})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(origin, p)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "atrium_person.json", b)

	r, err := ParsePerson(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Account{
		Username: "alice", Domain: "127.0.0.1:8081", URI: a.URI, InboxURI: a.InboxURI,
		SharedInboxURI: a.SharedInboxURI, Role: model.RoleMember, DisplayName: a.DisplayName,
		JobTitle: a.JobTitle, Department: a.Department, Site: a.Site, PublicKeyPEM: a.PublicKeyPEM,
	}
	if !reflect.DeepEqual(r.Account, want) {
		t.Errorf("account\n got %+v\nwant %+v", r.Account, want)
	}
	if r.SummaryHTML != UnsafeHTML(a.AboutHTML) || r.PublicKeyID != a.URI+"#main-key" ||
		r.ManagerURI != a.Manager.URI || r.IconURL != origin+"/media/avatars/alice.webp" ||
		r.GuestExpires == nil || !r.GuestExpires.Equal(expires) {
		t.Errorf("extras: %+v", r)
	}
}

func TestPersonRole(t *testing.T) {
	for _, tc := range []struct {
		in   model.Role
		sent string
		back model.Role
	}{
		{model.RoleAdmin, RoleMember, model.RoleMember},
		{model.RoleMember, RoleMember, model.RoleMember},
		{model.RoleGuest, RoleGuest, model.RoleGuest},
	} {
		t.Run(string(tc.in), func(t *testing.T) {
			a := alice(t)
			a.Role = tc.in
			p, err := PersonToAS(a, PersonExtras{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Serialize(origin, p)
			if err != nil {
				t.Fatal(err)
			}
			if m[TermRole] != tc.sent {
				t.Errorf("sent role %v, want %s", m[TermRole], tc.sent)
			}
			b, _ := json.Marshal(m)
			r, err := ParsePerson(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Account.Role != tc.back {
				t.Errorf("parsed role %s, want %s", r.Account.Role, tc.back)
			}
		})
	}
}

func TestPersonToASRejects(t *testing.T) {
	for name, mutate := range map[string]func(a *model.Account){
		"relative id":            func(a *model.Account) { a.URI = "/users/alice" },
		"inbox on another node":  func(a *model.Account) { a.InboxURI = "http://127.0.0.1:9999/users/alice/inbox" },
		"shared inbox elsewhere": func(a *model.Account) { a.SharedInboxURI = "http://127.0.0.1:9999/inbox" },
		"no key":                 func(a *model.Account) { a.PublicKeyPEM = "" },
		"no username":            func(a *model.Account) { a.Username = "" },
		"bad manager":            func(a *model.Account) { a.Manager.URI = "javascript:alert(1)" },
	} {
		t.Run(name, func(t *testing.T) {
			a := alice(t)
			mutate(a)
			if _, err := PersonToAS(a, PersonExtras{}); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestParseMastodonPerson(t *testing.T) {
	r, err := ParsePerson(context.Background(), readTestdata(t, "mastodon_person.json"))
	if err != nil {
		t.Fatal(err)
	}
	a := r.Account
	if a.Username != "Gargron" || a.Domain != "social.example" || a.URI != "https://social.example/users/Gargron" ||
		a.InboxURI != a.URI+"/inbox" || a.SharedInboxURI != "https://social.example/inbox" ||
		a.Role != model.RoleMember || a.DisplayName != "Eugen 🐘" || a.AboutHTML != "" {
		t.Errorf("account: %+v", a)
	}
	if r.PublicKeyID != a.URI+"#main-key" || r.IconURL == "" {
		t.Errorf("extras: %+v", r)
	}
	// The script tag is still there: sanitizing is the social layer's job, flagged by the type.
	if !bytes.Contains([]byte(r.SummaryHTML), []byte("<script>")) {
		t.Errorf("summary was altered: %q", r.SummaryHTML)
	}
}

func post(audience model.Audience) *model.Post {
	created := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	return &model.Post{
		ID:        "01HZX",
		URI:       model.NewURIs(origin).Post("01HZX"),
		Audience:  audience,
		Source:    "Hello **@bob@127.0.0.1:8082** #plant",
		HTML:      `<p>Hello <strong>@bob</strong> <a href="http://127.0.0.1:8081/tags/plant">#plant</a></p>`,
		Local:     true,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func TestNoteAudience(t *testing.T) {
	a := alice(t)
	for _, tc := range []struct {
		audience model.Audience
		to       string
		err      error
	}{
		{model.AudienceCompany, origin + "/company", nil},
		{model.AudienceFollowers, a.URI + "/followers", nil},
		{model.AudienceSite, "", ErrNotFederated},
	} {
		t.Run(string(tc.audience), func(t *testing.T) {
			n, err := NoteToAS(model.NewURIs(origin), post(tc.audience), a, NoteExtras{})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := Marshal(origin, n)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("#Public")) || bytes.Contains(b, []byte("as:Public")) {
				t.Errorf("note addresses as:Public: %s", b)
			}
			var m map[string]interface{}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["to"] != tc.to {
				t.Errorf("to = %v, want %s", m["to"], tc.to)
			}
			r, err := ParseNote(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Post.Audience != tc.audience {
				t.Errorf("parsed audience %s", r.Post.Audience)
			}
		})
	}
}

func TestNoteRoundTrip(t *testing.T) {
	a := alice(t)
	p := post(model.AudienceCompany)
	edited := p.CreatedAt.Add(time.Hour)
	p.EditedAt = &edited
	x := NoteExtras{
		InReplyToURI: "http://127.0.0.1:8082/posts/01PARENT",
		Mentions:     []Tag{{Href: "http://127.0.0.1:8082/users/bob", Name: "@bob@127.0.0.1:8082"}},
		Hashtags:     []Tag{{Href: origin + "/tags/plant", Name: "plant"}},
	}
	n, err := NoteToAS(model.NewURIs(origin), p, a, x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(origin, n)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "atrium_note_company.json", b)

	r, err := ParseNote(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Post{
		URI: p.URI, Audience: model.AudienceCompany, Source: p.Source,
		CreatedAt: p.CreatedAt, UpdatedAt: edited, EditedAt: &edited,
	}
	if !reflect.DeepEqual(r.Post, want) {
		t.Errorf("post\n got %+v\nwant %+v", r.Post, want)
	}
	if r.ContentHTML != UnsafeHTML(p.HTML) || r.AuthorURI != a.URI || r.InReplyToURI != x.InReplyToURI {
		t.Errorf("note: %+v", r)
	}
	if !reflect.DeepEqual(r.Mentions, x.Mentions) || !reflect.DeepEqual(r.Hashtags, x.Hashtags) {
		t.Errorf("tags: %+v %+v", r.Mentions, r.Hashtags)
	}
	if !reflect.DeepEqual(r.To, []string{origin + "/company"}) || !reflect.DeepEqual(r.Cc, []string{"http://127.0.0.1:8082/users/bob"}) {
		t.Errorf("to %v cc %v", r.To, r.Cc)
	}
}

func TestParseMastodonNote(t *testing.T) {
	r, err := ParseNote(context.Background(), readTestdata(t, "mastodon_note_followers.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Post.Audience != model.AudienceFollowers || r.AuthorURI != "https://social.example/users/Gargron" ||
		r.InReplyToURI == "" || r.Post.Source != "" || r.Post.Local || r.Post.EditedAt != nil {
		t.Errorf("note: %+v", r)
	}
	if !bytes.Contains([]byte(r.ContentHTML), []byte("onerror")) {
		t.Errorf("content was altered: %q", r.ContentHTML)
	}
	if len(r.Mentions) != 1 || r.Mentions[0].Href != "http://127.0.0.1:8081/users/alice" ||
		len(r.Hashtags) != 1 || r.Hashtags[0].Name != "atrium" {
		t.Errorf("tags: %+v %+v", r.Mentions, r.Hashtags)
	}

	_, err = ParseNote(context.Background(), readTestdata(t, "mastodon_note_public.json"))
	if !errors.Is(err, ErrPublicAddressing) {
		t.Errorf("public note: err = %v", err)
	}
}
