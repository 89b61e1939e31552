// Package config loads the node's settings: defaults, then an optional TOML file,
// then ATRIUM_* environment variables, validated once at start-up.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is every setting a node reads. It is loaded once and passed down; nothing reads
// the environment later.
type Config struct {
	// Listen is the address the HTTP server binds to.
	Listen string `toml:"listen"`
	// BaseURL is the node's public URL; scheme, host and port are its identity.
	BaseURL string `toml:"base_url"`
	// DataDir holds the SQLite database and uploaded files.
	DataDir string `toml:"data_dir"`
	// DatabaseURL selects PostgreSQL when it starts with postgres://; empty means SQLite
	// in DataDir.
	DatabaseURL string `toml:"database_url"`
	// SiteName is shown in the UI and names the node's site.
	SiteName string `toml:"site_name"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `toml:"log_level"`
	// SessionTTL is how long a login session lasts without use.
	SessionTTL Duration `toml:"session_ttl"`
	// DeliveryLease is how long a delivery being sent stays claimed; after a crash, claimed
	// deliveries are sent again once it has passed.
	DeliveryLease Duration `toml:"delivery_lease"`
	// MaxBodyBytes caps request bodies other than uploads.
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// MaxAvatarBytes caps avatar uploads.
	MaxAvatarBytes int64 `toml:"max_avatar_bytes"`
	// PostRate is how many posts and comments one account may write per minute, after a
	// burst of PostBurst; 0 turns the limit off.
	PostRate  int64 `toml:"post_rate"`
	PostBurst int64 `toml:"post_burst"`
	// InboxRate is how many inbox requests per second one peer node, and one client
	// address, may send after a burst of InboxBurst; 0 turns the limit off.
	InboxRate  int64 `toml:"inbox_rate"`
	InboxBurst int64 `toml:"inbox_burst"`
	// Language is the default UI language (en or de).
	Language string `toml:"language"`
	// DirectorySync is how often the sibling nodes' member directories are read; 0 turns
	// the schedule off (a new sibling or an admin still starts a read).
	DirectorySync Duration `toml:"directory_sync"`

	// GuestInvites says who may invite guests: "admins" or "members" (members and admins).
	GuestInvites string `toml:"guest_invites"`
	// GuestInvitationTTL is how long an invitation link stays valid.
	GuestInvitationTTL Duration `toml:"guest_invitation_ttl"`
	// GuestAccountTTL is the default lifetime of a guest account, in whole days.
	GuestAccountTTL Duration `toml:"guest_account_ttl"`

	// SMTPHost is the mail server for invitations; empty sends no mail (links only).
	SMTPHost     string `toml:"smtp_host"`
	SMTPPort     int    `toml:"smtp_port"`
	SMTPUsername string `toml:"smtp_username"`
	SMTPPassword string `toml:"smtp_password"`
	// SMTPFrom is the sender address, e.g. "Atrium <atrium@example.com>".
	SMTPFrom string `toml:"smtp_from"`
	// SMTPTLS is "starttls" (required), "tls" (implicit TLS, usually port 465) or "none".
	SMTPTLS string `toml:"smtp_tls"`

	// PprofListen, when set, serves Go's runtime profiles (net/http/pprof) on this
	// address, apart from the node's own listener; empty (the default) serves none.
	PprofListen string `toml:"pprof_listen"`
}

// Duration is a time.Duration that reads "90m" style strings from TOML and env.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// Default returns the settings used when nothing is configured.
func Default() Config {
	return Config{
		Listen:         "127.0.0.1:8080",
		DataDir:        "./data",
		SiteName:       "Atrium",
		LogLevel:       "info",
		SessionTTL:     Duration{30 * 24 * time.Hour},
		DeliveryLease:  Duration{time.Minute},
		MaxBodyBytes:   1 << 20,
		MaxAvatarBytes: 5 << 20,
		PostRate:       30,
		PostBurst:      100,
		InboxRate:      3000,
		InboxBurst:     6000,
		Language:       "en",
		DirectorySync:  Duration{15 * time.Minute},

		GuestInvites:       "admins",
		GuestInvitationTTL: Duration{7 * 24 * time.Hour},
		GuestAccountTTL:    Duration{90 * 24 * time.Hour},
		SMTPPort:           587,
		SMTPTLS:            "starttls",
	}
}

// Load builds the configuration from defaults, the optional TOML file at path and the
// environment (getenv, usually os.Getenv), then validates it.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	if path != "" {
		md, err := toml.DecodeFile(path, &c)
		if err != nil {
			return c, fmt.Errorf("config file %s: %w", path, err)
		}
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			return c, fmt.Errorf("config file %s: unknown setting %q", path, undecoded[0].String())
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return c, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c, c.Validate()
}

func (c *Config) applyEnv(getenv func(string) string) error {
	strs := map[string]*string{
		"ATRIUM_LISTEN":       &c.Listen,
		"ATRIUM_BASE_URL":     &c.BaseURL,
		"ATRIUM_DATA_DIR":     &c.DataDir,
		"ATRIUM_DATABASE_URL": &c.DatabaseURL,
		"ATRIUM_SITE_NAME":    &c.SiteName,
		"ATRIUM_LOG_LEVEL":    &c.LogLevel,
		"ATRIUM_LANGUAGE":     &c.Language,

		"ATRIUM_GUEST_INVITES": &c.GuestInvites,
		"ATRIUM_SMTP_HOST":     &c.SMTPHost,
		"ATRIUM_SMTP_USERNAME": &c.SMTPUsername,
		"ATRIUM_SMTP_PASSWORD": &c.SMTPPassword,
		"ATRIUM_SMTP_FROM":     &c.SMTPFrom,
		"ATRIUM_SMTP_TLS":      &c.SMTPTLS,
		"ATRIUM_PPROF_LISTEN":  &c.PprofListen,
	}
	for name, dst := range strs {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	ints := map[string]*int64{
		"ATRIUM_MAX_BODY_BYTES":   &c.MaxBodyBytes,
		"ATRIUM_MAX_AVATAR_BYTES": &c.MaxAvatarBytes,
		"ATRIUM_POST_RATE":        &c.PostRate,
		"ATRIUM_POST_BURST":       &c.PostBurst,
		"ATRIUM_INBOX_RATE":       &c.InboxRate,
		"ATRIUM_INBOX_BURST":      &c.InboxBurst,
	}
	for name, dst := range ints {
		if v := getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return &FieldError{Field: name, Msg: "must be a whole number"}
			}
			*dst = n
		}
	}
	if v := getenv("ATRIUM_DELIVERY_LEASE"); v != "" {
		if err := c.DeliveryLease.UnmarshalText([]byte(v)); err != nil {
			return &FieldError{Field: "ATRIUM_DELIVERY_LEASE", Msg: "must be a duration such as 1m"}
		}
	}
	if v := getenv("ATRIUM_SESSION_TTL"); v != "" {
		if err := c.SessionTTL.UnmarshalText([]byte(v)); err != nil {
			return &FieldError{Field: "ATRIUM_SESSION_TTL", Msg: "must be a duration such as 720h"}
		}
	}
	if v := getenv("ATRIUM_DIRECTORY_SYNC"); v != "" {
		if err := c.DirectorySync.UnmarshalText([]byte(v)); err != nil {
			return &FieldError{Field: "ATRIUM_DIRECTORY_SYNC", Msg: "must be a duration such as 15m (0 turns it off)"}
		}
	}
	return c.applyGuestEnv(getenv)
}

// applyGuestEnv reads the guest and mail settings that are not plain strings.
func (c *Config) applyGuestEnv(getenv func(string) string) error {
	durs := []struct {
		name string
		dst  *Duration
	}{
		{"ATRIUM_GUEST_INVITATION_TTL", &c.GuestInvitationTTL},
		{"ATRIUM_GUEST_ACCOUNT_TTL", &c.GuestAccountTTL},
	}
	for _, d := range durs {
		if v := getenv(d.name); v != "" {
			if err := d.dst.UnmarshalText([]byte(v)); err != nil {
				return &FieldError{Field: d.name, Msg: "must be a duration such as 168h"}
			}
		}
	}
	if v := getenv("ATRIUM_SMTP_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return &FieldError{Field: "ATRIUM_SMTP_PORT", Msg: "must be a port number"}
		}
		c.SMTPPort = n
	}
	return nil
}

// loopbackHostPort reports whether s is host:port with a loopback IP or localhost.
func loopbackHostPort(s string) bool {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FieldError names the setting that is wrong, so start-up messages point at the fix.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "invalid configuration: " + e.Field + " " + e.Msg }

// Validate checks every field and returns the first problem found.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return &FieldError{Field: "listen (ATRIUM_LISTEN)", Msg: "must be host:port, e.g. 127.0.0.1:8080"}
	}
	if c.PprofListen != "" && !loopbackHostPort(c.PprofListen) {
		// Profiles need no login: they are served on loopback only.
		return &FieldError{Field: "pprof_listen (ATRIUM_PPROF_LISTEN)", Msg: "must be a loopback host:port, e.g. 127.0.0.1:6060, or empty"}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return &FieldError{Field: "base_url (ATRIUM_BASE_URL)", Msg: "must be an http(s) origin such as http://127.0.0.1:8081, without path"}
	}
	if c.DatabaseURL == "" && strings.TrimSpace(c.DataDir) == "" {
		return &FieldError{Field: "data_dir (ATRIUM_DATA_DIR)", Msg: "must not be empty"}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return &FieldError{Field: "database_url (ATRIUM_DATABASE_URL)", Msg: "must start with postgres:// (leave empty for SQLite)"}
	}
	if strings.TrimSpace(c.SiteName) == "" || len(c.SiteName) > 100 {
		return &FieldError{Field: "site_name (ATRIUM_SITE_NAME)", Msg: "must be 1 to 100 characters"}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return &FieldError{Field: "log_level (ATRIUM_LOG_LEVEL)", Msg: "must be debug, info, warn or error"}
	}
	switch c.Language {
	case "en", "de":
	default:
		return &FieldError{Field: "language (ATRIUM_LANGUAGE)", Msg: "must be en or de"}
	}
	if c.SessionTTL.Duration < time.Minute {
		return &FieldError{Field: "session_ttl (ATRIUM_SESSION_TTL)", Msg: "must be at least 1m"}
	}
	// The worker gives each request half the lease, so a short lease means short timeouts.
	if c.DeliveryLease.Duration < 2*time.Second || c.DeliveryLease.Duration > time.Hour {
		return &FieldError{Field: "delivery_lease (ATRIUM_DELIVERY_LEASE)", Msg: "must be between 2s and 1h"}
	}
	if c.MaxBodyBytes < 1024 {
		return &FieldError{Field: "max_body_bytes (ATRIUM_MAX_BODY_BYTES)", Msg: "must be at least 1024"}
	}
	if c.MaxAvatarBytes < 1024 {
		return &FieldError{Field: "max_avatar_bytes (ATRIUM_MAX_AVATAR_BYTES)", Msg: "must be at least 1024"}
	}
	if c.PostRate < 0 || c.PostBurst < 0 || c.InboxRate < 0 || c.InboxBurst < 0 {
		return &FieldError{Field: "post_rate, post_burst, inbox_rate, inbox_burst", Msg: "must not be negative"}
	}
	if d := c.DirectorySync.Duration; d != 0 && (d < time.Minute || d > 24*time.Hour) {
		return &FieldError{Field: "directory_sync (ATRIUM_DIRECTORY_SYNC)", Msg: "must be 0 (off) or between 1m and 24h"}
	}
	return c.validateGuests()
}

// validateGuests checks the guest and mail settings.
func (c Config) validateGuests() error {
	switch c.GuestInvites {
	case "admins", "members":
	default:
		return &FieldError{Field: "guest_invites (ATRIUM_GUEST_INVITES)", Msg: "must be admins or members"}
	}
	if d := c.GuestInvitationTTL.Duration; d < time.Hour || d > 90*24*time.Hour {
		return &FieldError{Field: "guest_invitation_ttl (ATRIUM_GUEST_INVITATION_TTL)", Msg: "must be between 1h and 2160h"}
	}
	// Guest accounts last whole days: the invitation form asks for days.
	if d := c.GuestAccountTTL.Duration; d < 24*time.Hour || d > 365*24*time.Hour || d%(24*time.Hour) != 0 {
		return &FieldError{Field: "guest_account_ttl (ATRIUM_GUEST_ACCOUNT_TTL)", Msg: "must be whole days between 24h and 8760h"}
	}
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return &FieldError{Field: "smtp_tls (ATRIUM_SMTP_TLS)", Msg: "must be starttls, tls or none"}
	}
	if c.SMTPHost == "" {
		return nil
	}
	if strings.ContainsAny(c.SMTPHost, " /:") {
		return &FieldError{Field: "smtp_host (ATRIUM_SMTP_HOST)", Msg: "must be a host name without port (see smtp_port)"}
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		return &FieldError{Field: "smtp_port (ATRIUM_SMTP_PORT)", Msg: "must be between 1 and 65535"}
	}
	if addr, err := mail.ParseAddress(c.SMTPFrom); err != nil || addr.Address == "" {
		return &FieldError{Field: "smtp_from (ATRIUM_SMTP_FROM)", Msg: "must be a mail address such as Atrium <atrium@example.com> when smtp_host is set"}
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		return &FieldError{Field: "smtp_username (ATRIUM_SMTP_USERNAME)", Msg: "and smtp_password must be set together"}
	}
	return nil
}

// MailEnabled reports whether invitations go out by mail.
func (c Config) MailEnabled() bool { return c.SMTPHost != "" }

// Secure reports whether the node is served over https (cookies get the Secure flag).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// SQLitePath is the database file used when no DatabaseURL is set.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "atrium.db") }

// IsFieldError reports whether err is a configuration field error.
func IsFieldError(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe)
}
