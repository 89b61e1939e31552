package htmlcheck

import "testing"

func TestFragment(t *testing.T) {
	for _, tc := range []struct {
		in  string
		bad bool
	}{
		{`<p>hello <a href="https://x.example/" rel="nofollow">x</a></p>`, false},
		{`<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`, false},
		{`<script>alert(1)</script>`, true},
		{`<img src=x onerror=alert(1)>`, true},
		{`<a href="jav&#x61;script:alert(1)">x</a>`, true},
		{"<a href=\" JaVa\tScRiPt:alert(1)\">x</a>", true},
		{`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, true},
		{`<p style="background:url(javascript:alert(1))">x</p>`, true},
		{`<svg onload=alert(1)>`, true},
		{`<form action="/x"><input name="csrf"></form>`, true},
	} {
		if got := Fragment(tc.in); (len(got) > 0) != tc.bad {
			t.Errorf("Fragment(%q) = %q, want bad=%v", tc.in, got, tc.bad)
		}
	}
	if got := Page(`<html><head><meta charset="utf-8"><script src="/static/a/app.js"></script></head><body><form method="post"></form></body></html>`); len(got) != 0 {
		t.Errorf("Page flags the layout: %q", got)
	}
	if got := Page(`<script src="//evil.example/x.js"></script><script>alert(1)</script>`); len(got) != 2 {
		t.Errorf("Page = %q, want two scripts", got)
	}
}
