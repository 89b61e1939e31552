package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDirectorySyncSetting(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil || c.DirectorySync.Duration != 15*time.Minute {
		t.Fatalf("default %v, %v", c.DirectorySync, err)
	}
	path := filepath.Join(t.TempDir(), "atrium.toml")
	if err := os.WriteFile(path, []byte("directory_sync = \"1h\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path, env(nil)); err != nil || c.DirectorySync.Duration != time.Hour {
		t.Errorf("from the file: %v, %v", c.DirectorySync, err)
	}
	if c, err := Load(path, env(map[string]string{"ATRIUM_DIRECTORY_SYNC": "0"})); err != nil || c.DirectorySync.Duration != 0 {
		t.Errorf("0 turns it off: %v, %v", c.DirectorySync, err)
	}
	for _, bad := range []string{"soon", "30s", "48h", "-5m"} {
		_, err := Load("", env(map[string]string{"ATRIUM_DIRECTORY_SYNC": bad}))
		if err == nil || !IsFieldError(err) || !strings.Contains(err.Error(), "DIRECTORY_SYNC") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
