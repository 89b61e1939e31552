package fulltext

import (
	"strings"
	"testing"
)

func TestPlainText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p>Hello <strong>world</strong></p><p>second</p>`, "Hello world second"},
		{`<p>a &lt;script&gt;alert(1)&lt;/script&gt; &amp; b</p>`, "a <script>alert(1)</script> & b"},
		{`<p><b>Haus</b>tür</p>`, "Haustür"},
		{`<ul><li>one</li><li>two</li></ul>`, "one two"},
		{"line<br>break\n\n  spaces", "line break spaces"},
		{`<a href="/tags/plan" class="hashtag">#plan</a>`, "#plan"},
		{`<script>evil()</script>text`, "text"},
		{``, ""},
	}
	for _, c := range cases {
		if got := PlainText(c.in); got != c.want {
			t.Errorf("PlainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTermsStemBothLanguages(t *testing.T) {
	terms := " " + Terms("Die Häuser der Entwickler were running") + " "
	for _, want := range []string{"häuser", "haus", "entwickler", "running", "run"} {
		if !strings.Contains(terms, " "+want+" ") {
			t.Errorf("terms %q lack %q", terms, want)
		}
	}
	for _, stop := range []string{"die", "der", "were"} {
		if strings.Contains(terms, " "+stop+" ") {
			t.Errorf("terms %q keep stopword %q", terms, stop)
		}
	}
}

func TestParseEscapesSyntax(t *testing.T) {
	cases := []struct{ in, fts, ts string }{
		{`Haus`, `("haus")`, `('haus')`},
		{`running Häuser`, `("running" OR "run") AND ("häuser" OR "haus")`, `('running' | 'run') & ('häuser' | 'haus')`},
		{`"NEAR(a b)" * - : ^ col:x' OR`, `("near") AND ("b") AND ("col") AND ("x")`, `('near') & ('b') & ('col') & ('x')`},
		{`the and`, ``, ``},
	}
	for _, c := range cases {
		q := Parse(c.in)
		if got := q.FTS5(); got != c.fts {
			t.Errorf("Parse(%q).FTS5() = %q, want %q", c.in, got, c.fts)
		}
		if got := q.TSQuery(); got != c.ts {
			t.Errorf("Parse(%q).TSQuery() = %q, want %q", c.in, got, c.ts)
		}
	}
	if q := Parse("the"); !q.Empty() || q.PrefixFTS5() != `"the"*` || q.PrefixTSQuery() != `'the':*` {
		t.Errorf("stopword-only query: %+v", q)
	}
	if q := Parse(strings.Repeat("wort", 100) + " " + strings.Repeat("a ", 50) + "b c d e f g h i j k"); len(q.Words) > maxQueryWords {
		t.Errorf("query keeps %d words", len(q.Words))
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler text here ", 30)
	cases := []struct {
		name, text, query, want string
		max                     int
	}{
		{"stem", "Die Häuser am See", "haus", "Die <mark>Häuser</mark> am See", 200},
		{"english stem", "We are running late", "run", "We are <mark>running</mark> late", 200},
		{"escapes", `<script>alert("x")</script> & plan`, "plan", `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; <mark>plan</mark>`, 200},
		{"markup in match", `script`, "script", `<mark>script</mark>`, 200},
		{"window", long + "the budget plan " + long, "budget", "", 60},
		{"no hit", "nothing to see", "zebra", "nothing to see", 200},
	}
	for _, c := range cases {
		got := Snippet(c.text, Parse(c.query), c.max)
		if c.want != "" && got != c.want {
			t.Errorf("%s: Snippet = %q, want %q", c.name, got, c.want)
		}
		if c.name == "window" {
			if !strings.Contains(got, "<mark>budget</mark>") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
				t.Errorf("window: %q", got)
			}
			if n := len([]rune(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got))); n > 62 {
				t.Errorf("window: %d runes", n)
			}
		}
	}
}
