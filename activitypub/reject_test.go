package activitypub

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// mutated loads a testdata document, applies fn to it and re-encodes it.
func mutated(t *testing.T, name string, fn func(m map[string]interface{})) []byte {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal(readTestdata(t, name), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pemFile(t *testing.T, name string) string { return string(readTestdata(t, name)) }

func TestParseNoteRejects(t *testing.T) {
	many := make([]interface{}, MaxRecipients+1)
	for i := range many {
		many[i] = origin + "/users/u" + strings.Repeat("x", i%5)
	}
	for _, tc := range []struct {
		name string
		doc  func(t *testing.T) []byte
		want error
	}{
		{"not json", func(*testing.T) []byte { return []byte("{") }, ErrInvalid},
		{"array", func(*testing.T) []byte { return []byte("[]") }, ErrInvalid},
		{"null", func(*testing.T) []byte { return []byte("null") }, ErrInvalid},
		{"trailing data", func(t *testing.T) []byte { return append(readTestdata(t, "atrium_note_company.json"), "{}"...) }, ErrInvalid},
		{"too large", func(*testing.T) []byte { return make([]byte, MaxDocumentBytes+1) }, ErrInvalid},
		{"no context", mutate("atrium_note_company.json", func(m map[string]interface{}) { delete(m, "@context") }), ErrInvalid},
		{"unknown type", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["type"] = "Bogus" }), ErrInvalid},
		{"a person", func(t *testing.T) []byte { return readTestdata(t, "atrium_person.json") }, ErrUnexpectedType},
		{"no id", mutate("atrium_note_company.json", func(m map[string]interface{}) { delete(m, "id") }), ErrInvalid},
		{"relative id", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["id"] = "/posts/1" }), ErrInvalid},
		{"javascript id", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["id"] = "javascript:alert(1)" }), ErrInvalid},
		{"ftp id", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["id"] = "ftp://127.0.0.1:8081/posts/1" }), ErrInvalid},
		{"user info id", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["id"] = "http://127.0.0.1:8081@127.0.0.1:9999/posts/1"
		}), ErrInvalid},
		{"author elsewhere", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["attributedTo"] = "http://127.0.0.1:8082/users/bob"
		}), ErrOriginMismatch},
		{"author other port", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["attributedTo"] = "http://127.0.0.1:8089/users/alice"
		}), ErrOriginMismatch},
		{"no author", mutate("atrium_note_company.json", func(m map[string]interface{}) { delete(m, "attributedTo") }), ErrInvalid},
		{"two authors", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["attributedTo"] = []interface{}{origin + "/users/alice", origin + "/users/bob"}
		}), ErrInvalid},
		{"public", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["cc"] = "https://www.w3.org/ns/activitystreams#Public"
		}), ErrPublicAddressing},
		{"compact public", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["to"] = "as:Public" }), ErrPublicAddressing},
		{"company of another node", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["to"] = "http://127.0.0.1:8082/company"
		}), ErrUnsupportedAudience},
		{"no audience", mutate("atrium_note_company.json", func(m map[string]interface{}) { delete(m, "to"); delete(m, "cc") }), ErrUnsupportedAudience},
		{"too many recipients", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["cc"] = many }), ErrInvalid},
		{"bad recipient", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["cc"] = []interface{}{"data:text/html,<script>"}
		}), ErrInvalid},
		{"no published", mutate("atrium_note_company.json", func(m map[string]interface{}) { delete(m, "published") }), ErrInvalid},
		{"huge content", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["content"] = strings.Repeat("a", MaxContentBytes+1)
		}), ErrInvalid},
		{"bad inReplyTo", mutate("atrium_note_company.json", func(m map[string]interface{}) { m["inReplyTo"] = "file:///etc/passwd" }), ErrInvalid},
		{"bad mention", mutate("atrium_note_company.json", func(m map[string]interface{}) {
			m["tag"] = []interface{}{map[string]interface{}{"type": "Mention", "href": "javascript:x", "name": "@x"}}
		}), ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseNote(context.Background(), tc.doc(t))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v (result %+v)", err, tc.want, r)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestParsePersonRejects(t *testing.T) {
	key := func(m map[string]interface{}) map[string]interface{} { return m["publicKey"].(map[string]interface{}) }
	for _, tc := range []struct {
		name string
		doc  func(t *testing.T) []byte
		want error
	}{
		{"a note", func(t *testing.T) []byte { return readTestdata(t, "atrium_note_company.json") }, ErrUnexpectedType},
		{"id with fragment", mutate("atrium_person.json", func(m map[string]interface{}) { m["id"] = origin + "/users/alice#me" }), ErrInvalid},
		{"no username", mutate("atrium_person.json", func(m map[string]interface{}) { delete(m, "preferredUsername") }), ErrInvalid},
		{"confusable username", mutate("atrium_person.json", func(m map[string]interface{}) { m["preferredUsername"] = "аlice" }), ErrInvalid},
		{"username with @", mutate("atrium_person.json", func(m map[string]interface{}) { m["preferredUsername"] = "alice@evil" }), ErrInvalid},
		{"no inbox", mutate("atrium_person.json", func(m map[string]interface{}) { delete(m, "inbox") }), ErrInvalid},
		{"inbox elsewhere", mutate("atrium_person.json", func(m map[string]interface{}) {
			m["inbox"] = "http://127.0.0.1:8082/users/alice/inbox"
		}), ErrOriginMismatch},
		{"shared inbox elsewhere", mutate("atrium_person.json", func(m map[string]interface{}) {
			m["endpoints"] = map[string]interface{}{"sharedInbox": "http://127.0.0.1:8082/inbox"}
		}), ErrOriginMismatch},
		{"no key", mutate("atrium_person.json", func(m map[string]interface{}) { delete(m, "publicKey") }), ErrInvalid},
		{"key owner elsewhere", mutate("atrium_person.json", func(m map[string]interface{}) {
			key(m)["owner"] = "http://127.0.0.1:8082/users/bob"
		}), ErrInvalid},
		{"key id elsewhere", mutate("atrium_person.json", func(m map[string]interface{}) {
			key(m)["id"] = "http://127.0.0.1:8082/users/bob#main-key"
		}), ErrOriginMismatch},
		{"garbage pem", mutate("atrium_person.json", func(m map[string]interface{}) { key(m)["publicKeyPem"] = "hello" }), ErrInvalid},
		{"weak key", func(t *testing.T) []byte {
			return mutated(t, "atrium_person.json", func(m map[string]interface{}) { key(m)["publicKeyPem"] = pemFile(t, "weak_key.pem") })
		}, ErrInvalid},
		{"ed25519 key", func(t *testing.T) []byte {
			return mutated(t, "atrium_person.json", func(m map[string]interface{}) { key(m)["publicKeyPem"] = pemFile(t, "ed25519_key.pem") })
		}, ErrInvalid},
		{"manager not an IRI", mutate("atrium_person.json", func(m map[string]interface{}) { m[TermManager] = "carol" }), ErrInvalid},
		{"bad guest expiry", mutate("atrium_person.json", func(m map[string]interface{}) { m[TermGuestExpires] = "tomorrow" }), ErrInvalid},
		{"site not a string", mutate("atrium_person.json", func(m map[string]interface{}) { m[TermSite] = []interface{}{"a"} }), ErrInvalid},
		{"long job title", mutate("atrium_person.json", func(m map[string]interface{}) {
			m[TermJobTitle] = strings.Repeat("x", MaxFieldBytes+1)
		}), ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParsePerson(context.Background(), tc.doc(t))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v (result %+v)", err, tc.want, r)
			}
		})
	}
}

func TestParsePersonNeverAdmin(t *testing.T) {
	b := mutated(t, "atrium_person.json", func(m map[string]interface{}) { m[TermRole] = "admin" })
	r, err := ParsePerson(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Account.Role != "member" {
		t.Errorf("role %s from a remote actor claiming admin", r.Account.Role)
	}
}

// mutate is mutated as a table entry.
func mutate(name string, fn func(m map[string]interface{})) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return mutated(t, name, fn) }
}
