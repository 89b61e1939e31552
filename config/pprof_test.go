package config

import (
	"strings"
	"testing"
)

func TestPprofListen(t *testing.T) {
	tests := []struct {
		value   string
		wantErr bool
	}{
		{"", false}, // off by default
		{"127.0.0.1:6060", false},
		{"[::1]:6060", false},
		{"localhost:6060", false},
		{"0.0.0.0:6060", true}, // profiles need no login: never on every interface
		{":6060", true},
		{"10.0.0.7:6060", true},
		{"localhost", true},
		{"6060", true},
	}
	for _, tt := range tests {
		c, err := Load("", env(map[string]string{"ATRIUM_PPROF_LISTEN": tt.value}))
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "ATRIUM_PPROF_LISTEN") {
				t.Errorf("%q: error = %v, want one naming ATRIUM_PPROF_LISTEN", tt.value, err)
			}
			continue
		}
		if err != nil || c.PprofListen != tt.value {
			t.Errorf("%q: PprofListen = %q, %v", tt.value, c.PprofListen, err)
		}
	}
}
