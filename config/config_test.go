package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.DataDir != "./data" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.Secure() {
		t.Fatal("http base URL must not be secure")
	}
}

func TestLoadFileThenEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.toml")
	if err := os.WriteFile(path, []byte("site_name = \"Berlin\"\nlisten = \"127.0.0.1:9000\"\nsession_ttl = \"2h\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, env(map[string]string{"ATRIUM_LISTEN": "127.0.0.1:9001", "ATRIUM_BASE_URL": "https://berlin.example:8443/"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SiteName != "Berlin" || c.Listen != "127.0.0.1:9001" || c.BaseURL != "https://berlin.example:8443" || c.SessionTTL.Duration != 2*time.Hour {
		t.Fatalf("file/env precedence wrong: %+v", c)
	}
	if !c.Secure() {
		t.Fatal("https base URL must be secure")
	}
}

func TestLoadInvalidNamesField(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		field string
	}{
		{"listen", map[string]string{"ATRIUM_LISTEN": "nonsense"}, "ATRIUM_LISTEN"},
		{"base url scheme", map[string]string{"ATRIUM_BASE_URL": "ftp://x"}, "ATRIUM_BASE_URL"},
		{"base url path", map[string]string{"ATRIUM_BASE_URL": "http://x:1/sub"}, "ATRIUM_BASE_URL"},
		{"database url", map[string]string{"ATRIUM_DATABASE_URL": "mysql://x"}, "ATRIUM_DATABASE_URL"},
		{"site name", map[string]string{"ATRIUM_SITE_NAME": strings.Repeat("x", 101)}, "ATRIUM_SITE_NAME"},
		{"log level", map[string]string{"ATRIUM_LOG_LEVEL": "loud"}, "ATRIUM_LOG_LEVEL"},
		{"language", map[string]string{"ATRIUM_LANGUAGE": "fr"}, "ATRIUM_LANGUAGE"},
		{"body bytes", map[string]string{"ATRIUM_MAX_BODY_BYTES": "lots"}, "ATRIUM_MAX_BODY_BYTES"},
		{"ttl", map[string]string{"ATRIUM_SESSION_TTL": "forever"}, "ATRIUM_SESSION_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", env(tt.env))
			if err == nil || !IsFieldError(err) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("want field error naming %s, got %v", tt.field, err)
			}
		})
	}
}

func TestLoadUnknownFileKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atrium.toml")
	if err := os.WriteFile(path, []byte("lisen = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, env(nil)); err == nil || !strings.Contains(err.Error(), "lisen") {
		t.Fatalf("want unknown setting error, got %v", err)
	}
}
