package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

// Catalogs are split by area (locales/<area>.<lang>.json) and merged at start.
//
//go:embed locales/*.json
var localeFS embed.FS

// languages the UI speaks; the first is the fallback for missing keys.
var languages = []string{"en", "de"}

// catalogs maps a language to its messages, keyed like "error.username.taken".
type catalogs map[string]map[string]string

func loadCatalogs() (catalogs, error) {
	c := catalogs{}
	for _, lang := range languages {
		files, err := fs.Glob(localeFS, "locales/*."+lang+".json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("no %s message catalogs", lang)
		}
		all := map[string]string{}
		for _, f := range files {
			b, err := localeFS.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("load %s: %w", f, err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("parse %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := all[k]; dup {
					return nil, fmt.Errorf("message %q defined twice (%s)", k, f)
				}
				all[k] = v
			}
		}
		c[lang] = all
	}
	return c, nil
}

// translator returns the t function of one language: a missing key falls back to English,
// then to the key itself, so a gap shows up on the page instead of failing it.
func (c catalogs) translator(lang string) func(key string, args ...any) string {
	return func(key string, args ...any) string {
		msg, ok := c[lang][key]
		if !ok {
			if msg, ok = c[languages[0]][key]; !ok {
				msg = key
			}
		}
		if len(args) > 0 {
			return fmt.Sprintf(msg, args...)
		}
		return msg
	}
}

// has reports whether key is a message in the fallback language.
func (c catalogs) has(key string) bool {
	_, ok := c[languages[0]][key]
	return ok
}

// language picks the UI language from the Accept-Language header, else def.
func language(r *http.Request, def string) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		base := strings.SplitN(tag, "-", 2)[0]
		for _, l := range languages {
			if base == l {
				return l
			}
		}
	}
	for _, l := range languages {
		if def == l {
			return l
		}
	}
	return languages[0]
}
