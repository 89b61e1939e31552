package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

func TestAdminPeerCommands(t *testing.T) {
	vars := map[string]string{"ATRIUM_DATA_DIR": t.TempDir(), "ATRIUM_BASE_URL": "http://127.0.0.1:8080"}
	ctx := context.Background()
	out, err := runCmd(t, ctx, vars, "", "admin", "peer", "list")
	if err != nil || !strings.Contains(out, "no peers") {
		t.Fatalf("empty list: %q %v", out, err)
	}
	for _, tc := range []struct {
		name string
		args []string
		out  string
		err  string
	}{
		{"sibling", []string{"http://127.0.0.1:8082/", "--trust", "sibling", "--name", "Munich"}, "allowed http://127.0.0.1:8082 (sibling) Munich", ""},
		{"partner default port", []string{"HTTPS://Partner.example.com", "--trust", "partner"}, "allowed https://partner.example.com:443 (partner)", ""},
		{"change trust", []string{"http://127.0.0.1:8082", "--trust", "partner", "--name", "Munich GmbH"}, "allowed http://127.0.0.1:8082 (partner) Munich GmbH", ""},
		{"no trust", []string{"http://127.0.0.1:8083"}, "", "trust"},
		{"bad trust", []string{"http://127.0.0.1:8083", "--trust", "friend"}, "", "trust: peer.trust"},
		{"bad url", []string{"127.0.0.1:8083", "--trust", "sibling"}, "", "url: peer.url"},
		{"path", []string{"http://127.0.0.1:8083/users", "--trust", "sibling"}, "", "url: peer.url"},
		{"self", []string{"http://127.0.0.1:8080", "--trust", "sibling"}, "", "url: peer.self"},
		{"no url", []string{"--trust", "sibling"}, "", "arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCmd(t, ctx, vars, "", append([]string{"admin", "peer", "add"}, tc.args...)...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error with %q, got %q %v", tc.err, out, err)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.out) {
				t.Fatalf("got %q %v, want %q", out, err, tc.out)
			}
		})
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "peer", "list")
	if err != nil || !regexp.MustCompile(`(?s)ORIGIN\s+TRUST\s+NAME\s+ADDED\n`+
		`http://127\.0\.0\.1:8082\s+partner\s+Munich GmbH\s+\d{4}-\d\d-\d\d \d\d:\d\d\n`+
		`https://partner\.example\.com:443\s+partner\s+\d{4}`).MatchString(out) {
		t.Fatalf("list: %q %v", out, err)
	}
	if out, err = runCmd(t, ctx, vars, "", "admin", "peer", "remove", "https://partner.example.com/"); err != nil ||
		!strings.Contains(out, "removed https://partner.example.com:443") {
		t.Fatalf("remove: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "peer", "remove", "https://partner.example.com"); err == nil ||
		!strings.Contains(err.Error(), "not a peer") {
		t.Fatalf("second remove: %v", err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "peer", "list")
	if err != nil || strings.Contains(out, "partner.example.com") || !strings.Contains(out, "127.0.0.1:8082") {
		t.Fatalf("list after remove: %q %v", out, err)
	}
}

func TestAdminQueueCommands(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"ATRIUM_DATA_DIR": dir, "ATRIUM_BASE_URL": "http://127.0.0.1:8080"}
	ctx := context.Background()
	if out, err := runCmd(t, ctx, vars, "", "admin", "queue", "list"); err != nil || !strings.Contains(out, "no deliveries") {
		t.Fatalf("empty queue: %q %v", out, err)
	}
	if _, err := runCmd(t, ctx, vars, "", "admin", "peer", "add", "http://127.0.0.1:8082", "--trust", "sibling"); err != nil {
		t.Fatal(err)
	}
	// Deliveries are written by the outbox; here they go straight into the database.
	db, err := storage.Open("", filepath.Join(dir, "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	rows := []struct {
		id     string
		status model.DeliveryStatus
		err    string
	}{
		{"01KAXD0000000000000000000A", model.DeliveryDelivered, ""},
		{"01KAXD0000000000000000000B", model.DeliveryFailed, "POST http://127.0.0.1:8082/inbox:\nstatus 410"},
		{"01KAXD0000000000000000000C", model.DeliveryPending, "connection refused"},
	}
	for _, r := range rows {
		d := &model.Delivery{ID: r.id, ActivityID: "http://127.0.0.1:8080/posts/" + r.id, InboxURI: "http://127.0.0.1:8082/inbox",
			Origin: "http://127.0.0.1:8082", Payload: "{}", Status: r.status, Attempts: 2, NextAttemptAt: now,
			LastError: r.err, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(d).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()

	out, err := runCmd(t, ctx, vars, "", "admin", "queue", "list")
	if err != nil || !regexp.MustCompile(`(?s)ID\s+STATUS\s+ATTEMPTS\s+NEXT ATTEMPT\s+ORIGIN\s+ACTIVITY\s+LAST ERROR\n`+
		`\S+C\s+pending\s+2\s+2026-11-25 09:00:00\s+http://127\.0\.0\.1:8082\s+http://127\.0\.0\.1:8080/posts/\S+C\s+connection refused\n`+
		`\S+B\s+failed\s+2\s+-\s+.*status 410\n`+
		`\S+A\s+delivered`).MatchString(out) {
		t.Fatalf("list: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--status", "failed")
	if err != nil || !strings.Contains(out, rows[1].id) || strings.Contains(out, rows[0].id) || strings.Contains(out, rows[2].id) {
		t.Fatalf("failed only: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--limit", "1")
	if err != nil || !strings.Contains(out, "more: --before "+rows[2].id) {
		t.Fatalf("paged: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--limit", "1", "--before", rows[2].id)
	if err != nil || !strings.Contains(out, rows[1].id) || strings.Contains(out, rows[2].id) {
		t.Fatalf("second page: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--status", "lost"); err == nil || !strings.Contains(err.Error(), "status") {
		t.Fatalf("unknown status: %v", err)
	}

	if out, err = runCmd(t, ctx, vars, "", "admin", "queue", "retry", rows[1].id); err != nil || !strings.Contains(out, "due again") {
		t.Fatalf("retry: %q %v", out, err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--status", "pending")
	if err != nil || !strings.Contains(out, rows[1].id) {
		t.Fatalf("retried delivery is not pending: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "queue", "retry", rows[0].id); err == nil || !strings.Contains(err.Error(), "delivered") {
		t.Fatalf("retry of a delivered row: %v", err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "queue", "retry", "nope"); err == nil || !strings.Contains(err.Error(), "no delivery") {
		t.Fatalf("retry of an unknown id: %v", err)
	}
	// Removing the peer cancels its pending deliveries; a retry is then refused.
	if _, err = runCmd(t, ctx, vars, "", "admin", "peer", "remove", "http://127.0.0.1:8082"); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, ctx, vars, "", "admin", "queue", "list", "--status", "cancelled")
	if err != nil || !strings.Contains(out, rows[1].id) || !strings.Contains(out, rows[2].id) || !strings.Contains(out, "peer removed") {
		t.Fatalf("cancelled: %q %v", out, err)
	}
	if _, err = runCmd(t, ctx, vars, "", "admin", "queue", "retry", rows[2].id); err == nil || !strings.Contains(err.Error(), "not_peer") {
		t.Fatalf("retry to a removed peer: %v", err)
	}
}
