package cluster_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
)

// hostile is HTML no page may show as received.
const hostile = `<p>hi <b>there</b><script>alert(1)</script><img src=x onerror="alert(2)">` +
	`<a href="javascript:alert(3)" onclick="alert(4)">click</a><iframe src="http://evil"></iframe>` +
	`<style>body{display:none}</style></p>`

// checkClean fails when html keeps anything active from hostile, or lost its text.
func checkClean(t *testing.T, what, html string) {
	t.Helper()
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "alert("} {
		if strings.Contains(lower, bad) {
			t.Errorf("%s keeps %q: %s", what, bad, html)
		}
	}
	if !strings.Contains(html, "<b>there</b>") || !strings.Contains(html, "click") {
		t.Errorf("%s lost its harmless part: %s", what, html)
	}
}

// TestRemoteHTMLSanitized has a peer's user send, signed with their own key, a Create and
// an Update of a note and an Update of their profile full of active HTML: what is stored
// is sanitized.
func TestRemoteHTMLSanitized(t *testing.T) {
	for _, dialect := range testrig.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			nodes := cluster.Start(t, dialect, "Berlin", "Munich")
			berlin, munich := nodes[0], nodes[1]
			cluster.Connect(berlin, munich)
			berlin.User("alice")
			bob := munich.User("bob")
			signer := munich.AccountSigner(bob)

			note := munich.NewNote(bob, hostile, model.AudienceCompany)
			if got := berlin.SignedPost(signer, "/inbox", munich.CreateOf(bob, note)).Status; got != http.StatusAccepted {
				t.Fatalf("Create: %d", got)
			}
			checkClean(t, "the stored note", copyOf(t, berlin, note.URI).HTML)

			edited := note.CreatedAt.Add(time.Minute)
			note.HTML, note.EditedAt, note.UpdatedAt = strings.Replace(hostile, "hi", "edited", 1), &edited, edited
			if got := berlin.SignedPost(signer, "/inbox", munich.UpdateOf(bob, note)).Status; got != http.StatusAccepted {
				t.Fatalf("Update: %d", got)
			}
			stored := copyOf(t, berlin, note.URI)
			if !strings.Contains(stored.HTML, "edited") {
				t.Fatalf("the Update was not applied: %s", stored.HTML)
			}
			checkClean(t, "the edited note", stored.HTML)
			edits, err := berlin.Store.PostEdits(ctx, stored.ID)
			if err != nil || len(edits) != 1 {
				t.Fatalf("history: %+v, %v", edits, err)
			}
			checkClean(t, "the note's history", edits[0].HTML)

			profile := *bob
			profile.AboutHTML = hostile
			profile.DisplayName = `Bob <script>alert(5)</script>`
			profile.UpdatedAt = time.Now().UTC()
			if got := berlin.SignedPost(signer, "/inbox", munich.ProfileUpdateOf(&profile)).Status; got != http.StatusAccepted {
				t.Fatalf("Update of the profile: %d", got)
			}
			a, err := berlin.Store.AccountByURI(ctx, bob.URI)
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, "the cached profile text", a.AboutHTML)
			if a.Role != model.RoleMember || a.Domain != munich.Host {
				t.Errorf("the profile update changed role or domain: %q %q", a.Role, a.Domain)
			}
		})
	}
}
