package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGuestDefaults(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.GuestInvites != "admins" || c.GuestInvitationTTL.Duration != 168*time.Hour ||
		c.GuestAccountTTL.Duration != 2160*time.Hour {
		t.Fatalf("guest defaults: %+v", c)
	}
	if c.SMTPPort != 587 || c.SMTPTLS != "starttls" || c.MailEnabled() {
		t.Fatalf("mail defaults: port %d tls %q enabled %v", c.SMTPPort, c.SMTPTLS, c.MailEnabled())
	}
}

func TestGuestSettingsFromFileAndEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.toml")
	file := "guest_invites = \"members\"\nguest_invitation_ttl = \"48h\"\nsmtp_host = \"mail.example\"\n" +
		"smtp_from = \"Atrium <atrium@example.com>\"\nsmtp_tls = \"tls\"\nsmtp_port = 465\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, env(map[string]string{
		"ATRIUM_GUEST_ACCOUNT_TTL": "720h", "ATRIUM_SMTP_PORT": "2525", "ATRIUM_SMTP_USERNAME": "u",
		"ATRIUM_SMTP_PASSWORD": "p", "ATRIUM_SMTP_TLS": "none",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.GuestInvites != "members" || c.GuestInvitationTTL.Duration != 48*time.Hour ||
		c.GuestAccountTTL.Duration != 720*time.Hour {
		t.Fatalf("guest settings: %+v", c)
	}
	if !c.MailEnabled() || c.SMTPHost != "mail.example" || c.SMTPPort != 2525 || c.SMTPTLS != "none" ||
		c.SMTPUsername != "u" || c.SMTPPassword != "p" || c.SMTPFrom != "Atrium <atrium@example.com>" {
		t.Fatalf("smtp settings: %+v", c)
	}
}

func TestGuestSettingsInvalid(t *testing.T) {
	mail := map[string]string{"ATRIUM_SMTP_HOST": "mail.example", "ATRIUM_SMTP_FROM": "atrium@example.com"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range mail {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		env   map[string]string
		field string
	}{
		{"who invites", map[string]string{"ATRIUM_GUEST_INVITES": "everyone"}, "ATRIUM_GUEST_INVITES"},
		{"invitation ttl syntax", map[string]string{"ATRIUM_GUEST_INVITATION_TTL": "a week"}, "ATRIUM_GUEST_INVITATION_TTL"},
		{"invitation ttl short", map[string]string{"ATRIUM_GUEST_INVITATION_TTL": "10m"}, "ATRIUM_GUEST_INVITATION_TTL"},
		{"invitation ttl long", map[string]string{"ATRIUM_GUEST_INVITATION_TTL": "2161h"}, "ATRIUM_GUEST_INVITATION_TTL"},
		{"account ttl partial day", map[string]string{"ATRIUM_GUEST_ACCOUNT_TTL": "36h"}, "ATRIUM_GUEST_ACCOUNT_TTL"},
		{"account ttl long", map[string]string{"ATRIUM_GUEST_ACCOUNT_TTL": "8784h"}, "ATRIUM_GUEST_ACCOUNT_TTL"},
		{"tls", map[string]string{"ATRIUM_SMTP_TLS": "ssl"}, "ATRIUM_SMTP_TLS"},
		{"port syntax", map[string]string{"ATRIUM_SMTP_PORT": "smtp"}, "ATRIUM_SMTP_PORT"},
		{"port range", with(map[string]string{"ATRIUM_SMTP_PORT": "70000"}), "ATRIUM_SMTP_PORT"},
		{"host with port", with(map[string]string{"ATRIUM_SMTP_HOST": "mail.example:25"}), "ATRIUM_SMTP_HOST"},
		{"from missing", map[string]string{"ATRIUM_SMTP_HOST": "mail.example"}, "ATRIUM_SMTP_FROM"},
		{"from invalid", with(map[string]string{"ATRIUM_SMTP_FROM": "not an address"}), "ATRIUM_SMTP_FROM"},
		{"username alone", with(map[string]string{"ATRIUM_SMTP_USERNAME": "u"}), "ATRIUM_SMTP_USERNAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", env(tt.env))
			if err == nil || !IsFieldError(err) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("want field error naming %s, got %v", tt.field, err)
			}
		})
	}
	// Without a host the mail settings are not needed.
	if _, err := Load("", env(map[string]string{"ATRIUM_SMTP_USERNAME": "u"})); err != nil {
		t.Fatalf("mail settings without host: %v", err)
	}
}
