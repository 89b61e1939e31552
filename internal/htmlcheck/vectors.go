package htmlcheck

// XSSVectors returns known cross-site scripting payloads (after the OWASP filter evasion
// cheat sheet), in HTML and in Markdown, for tests that push them through every place
// user or remote text is shown. Each call returns a fresh slice.
func XSSVectors() []string {
	return []string{
		"<script>alert(1)</script>",
		`<img src=x onerror=alert(1)>`,
		`<svg onload=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="jav&#x61;script:alert(1)">x</a>`,
		`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
		`<p style="background:url(javascript:alert(1))">x</p>`,
		`<div style="width: expression(alert(1))">x</div>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<object data="x.swf"></object>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`"><script>alert(1)</script>`,
		`' onmouseover='alert(1)`,
		"[x](javascript:alert(1))",
		"[x](data:text/html,<script>alert(1)</script>)",
		"![x](javascript:alert(1))",
		"<javascript:alert(1)>",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"\u202e<script>alert(1)</script>",
		"<scr<script>ipt>alert(1)</scr</script>ipt>",
		"<a href=\"jav\tascript:alert(1)\">x</a>",
		`<object data="x.swf"></object><embed src="x.swf">`,
		`<math href="javascript:alert(1)">x</math>`,
		"[x](JaVaScRiPt:alert(1))",
		"[x](&#106;avascript:alert(1))",
		"<https://example.com/?q=\"><script>alert(1)</script>>",
		"<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
		"<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
		"<base href=\"javascript:alert(1)//\">",
		"<form action=\"javascript:alert(1)\"><button>x</button></form>",
		"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
		"<details open ontoggle=alert(1)>",
		"<body onload=alert(1)>",
	}
}
