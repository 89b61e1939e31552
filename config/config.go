// Package config loads the node's settings: defaults, then an optional TOML file,
// then ATRIUM_* environment variables, validated once at start-up.
package config

import (
	"errors"
	"fmt"
	"net"
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
	// Language is the default UI language (en or de).
	Language string `toml:"language"`
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
		Language:       "en",
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
	}
	for name, dst := range strs {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	ints := map[string]*int64{
		"ATRIUM_MAX_BODY_BYTES":   &c.MaxBodyBytes,
		"ATRIUM_MAX_AVATAR_BYTES": &c.MaxAvatarBytes,
	}
	for name, dst := range ints {
		if v := getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return &FieldError{Field: name, Msg: "must be a whole number of bytes"}
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
	return nil
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
	return nil
}

// Secure reports whether the node is served over https (cookies get the Secure flag).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// SQLitePath is the database file used when no DatabaseURL is set.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "atrium.db") }

// IsFieldError reports whether err is a configuration field error.
func IsFieldError(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe)
}
