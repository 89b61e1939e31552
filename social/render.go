package social

import (
	"bytes"
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	xhtml "golang.org/x/net/html"
)

// renderer turns Markdown into sanitized HTML with mentions and hashtags linked.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newRenderer() *renderer {
	return &renderer{
		// Raw HTML in Markdown is dropped by goldmark (no WithUnsafe) and anything that
		// slips through is removed by the sanitizer.
		md:     goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithHardWraps())),
		policy: bluemonday.UGCPolicy().AddTargetBlankToFullyQualifiedLinks(true),
	}
}

var (
	// A mention or hashtag starts the text or follows a character that cannot be part of
	// a word, an address or a URL path.
	// A mention is @name, or a full handle @name@host[:port] (sub-match 3 is the host).
	mentionPattern = regexp.MustCompile(`(^|[^\p{L}\p{N}_@/.])@([a-zA-Z0-9_]{1,30})(?:@([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]{1,5})?))?\b`)
	tagPattern     = regexp.MustCompile(`(^|[^\p{L}\p{N}_&/#])#([\p{L}\p{N}_]{1,64})`)
)

// mentionsIn returns the lower-cased usernames written as @name, in order, without repeats.
// A full handle @name@host names someone on a node, not a local user, and is left out.
func mentionsIn(src string) []string {
	var local [][]string
	for _, m := range mentionPattern.FindAllStringSubmatch(src, -1) {
		if m[3] == "" {
			local = append(local, m)
		}
	}
	return uniqueLower(local)
}

// handlesIn returns the lower-cased full handles written as @name@host[:port], in order,
// without repeats.
func handlesIn(src string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range mentionPattern.FindAllStringSubmatch(src, -1) {
		if m[3] == "" {
			continue
		}
		h := strings.ToLower(m[2] + "@" + m[3])
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// tagsIn returns the lower-cased hashtags written as #tag, in order, without repeats.
func tagsIn(src string) []string {
	var out []string
	for _, t := range uniqueLower(tagPattern.FindAllStringSubmatch(src, -1)) {
		// "#123" is an issue number, not a tag.
		if strings.Trim(t, "0123456789") != "" {
			out = append(out, t)
		}
	}
	return out
}

func uniqueLower(matches [][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range matches {
		v := strings.ToLower(m[2])
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// render converts src to safe HTML. known lists the usernames that exist; only those
// mentions become links.
func (r *renderer) render(src string, known map[string]bool) string {
	return linkify(r.safe(src), known, nil)
}

// safe converts src to sanitized HTML, before mentions and hashtags are linked.
func (r *renderer) safe(src string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors; fall back to escaped text.
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return r.policy.Sanitize(buf.String())
}

// mentionsAndTags returns the mentions, full handles and hashtags linkify sees in
// safeHTML: those in text outside links and code, so a `#define` in a code block is no
// hashtag.
func mentionsAndTags(safeHTML string) (mentions, handles, tags []string) {
	var text []string
	walkText(safeHTML, func(escaped string) string {
		text = append(text, escaped)
		return escaped
	})
	joined := strings.Join(text, "\n")
	return mentionsIn(joined), handlesIn(joined), tagsIn(joined)
}

// linkify links mentions, group handles and hashtags in text nodes outside links and
// code. groups maps the lower-cased handles (name@host) of linkable groups to their page.
func linkify(safeHTML string, known map[string]bool, groups map[string]string) string {
	return walkText(safeHTML, func(escaped string) string { return linkText(escaped, known, groups) })
}

// walkText copies safeHTML, passing the escaped text of each text node outside links and
// code through fn.
func walkText(safeHTML string, fn func(escaped string) string) string {
	z := xhtml.NewTokenizer(strings.NewReader(safeHTML))
	var out strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return out.String()
		case xhtml.StartTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "a", "code", "pre":
				if tt == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			out.Write(z.Raw())
		case xhtml.TextToken:
			if skip > 0 {
				out.Write(z.Raw())
				continue
			}
			out.WriteString(fn(html.EscapeString(string(z.Text()))))
		default:
			out.Write(z.Raw())
		}
	}
}

// linkText turns known mentions, known group handles and all hashtags in escaped text
// into links.
func linkText(s string, known map[string]bool, groups map[string]string) string {
	s = mentionPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := mentionPattern.FindStringSubmatch(m)
		name := strings.ToLower(sub[2])
		if sub[3] != "" {
			// The path is built from the stored group (a handle-safe name and host).
			path, ok := groups[name+"@"+strings.ToLower(sub[3])]
			if !ok {
				return m
			}
			return sub[1] + `<a href="` + html.EscapeString(path) + `" class="mention group">@` + sub[2] + "@" + sub[3] + `</a>`
		}
		if !known[name] {
			return m
		}
		return sub[1] + `<a href="/users/` + name + `" class="mention">@` + sub[2] + `</a>`
	})
	return tagPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := tagPattern.FindStringSubmatch(m)
		tag := strings.ToLower(sub[2])
		if strings.Trim(tag, "0123456789") == "" {
			return m
		}
		return sub[1] + `<a href="/tags/` + tag + `" class="hashtag">#` + sub[2] + `</a>`
	})
}
