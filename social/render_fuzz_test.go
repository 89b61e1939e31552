package social

import (
	"strings"
	"testing"

	"github.com/atrium-intranet/atrium/internal/htmlcheck"
)

// xssSeeds are the known cross-site scripting vectors of htmlcheck and two inputs with
// mentions and hashtags, shared by the rendering and sanitizing fuzz targets as seeds.
var xssSeeds = append(htmlcheck.XSSVectors(), "Hello **world** @bob #go", "`<script>` @bob@node.example:8081 #tag")

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range xssSeeds {
		f.Add(s)
	}
	r := newRenderer()
	known := map[string]bool{"bob": true, "carl": true}
	groups := map[string]string{"eng@node.example:8081": "/groups/eng@node.example:8081"}
	f.Fuzz(func(t *testing.T, src string) {
		safe := r.safe(src)
		if again := r.policy.Sanitize(safe); again != safe {
			t.Fatalf("rendering is not stable under the sanitizer:\n got %q\nthen %q", safe, again)
		}
		out := linkify(safe, known, groups)
		if bad := htmlcheck.Fragment(out); len(bad) > 0 {
			t.Fatalf("render(%q) = %q has active markup %q", src, out, bad)
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("render(%q) = %q has a script", src, out)
		}
	})
}

func FuzzSanitizeRemoteHTML(f *testing.F) {
	for _, s := range xssSeeds {
		f.Add(s)
	}
	f.Add(`<p><span class="h-card"><a href="https://m.example/@a" class="u-url mention">@<span>a</span></a></span> hi</p>`)
	r := newRenderer()
	f.Fuzz(func(t *testing.T, in string) {
		out := r.policy.Sanitize(in)
		if bad := htmlcheck.Fragment(out); len(bad) > 0 {
			t.Fatalf("Sanitize(%q) = %q has active markup %q", in, out, bad)
		}
		if again := r.policy.Sanitize(out); again != out {
			t.Fatalf("sanitizing is not stable:\n got %q\nthen %q", out, again)
		}
	})
}
