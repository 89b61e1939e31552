// Package htmlcheck finds executable markup in HTML, for tests that push hostile input
// through rendering, sanitizing and templates.
package htmlcheck

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// dangerousTags run code or load foreign documents, whatever their attributes.
var dangerousTags = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "base": true, "svg": true, "math": true, "template": true, "noscript": true,
	"xmp": true, "plaintext": true, "style": true,
}

// contentOnly are tags that the page layout uses but user content must never bring.
var contentOnly = map[string]bool{"meta": true, "link": true, "form": true, "input": true, "button": true,
	"textarea": true, "select": true}

// urlAttrs hold URLs a browser may follow or load.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true, "data": true,
	"background": true, "poster": true, "srcset": true, "codebase": true, "cite": true, "lowsrc": true,
}

// Fragment lists the executable or page-altering markup in a fragment of user content
// (a rendered post, profile text or sanitized remote HTML).
func Fragment(doc string) []string { return active(doc, false) }

// Page lists the executable markup in a whole page: scripts other than the page's own
// external ones (src on the same origin), event-handler attributes, inline styles, and
// script-capable links.
func Page(doc string) []string { return active(doc, true) }

func active(doc string, page bool) []string {
	var found []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return found
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		name := strings.ToLower(tok.Data)
		switch {
		case page && name == "script" && ownScript(tok):
		case dangerousTags[name] || (!page && contentOnly[name]):
			found = append(found, "<"+name+">")
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"):
				found = append(found, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
			case key == "style":
				found = append(found, fmt.Sprintf("<%s style=%q>", name, a.Val))
			case urlAttrs[key] && BadURL(a.Val):
				found = append(found, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
			}
		}
	}
}

// ownScript reports whether a script element loads a same-origin file and has no body.
func ownScript(tok html.Token) bool {
	for _, a := range tok.Attr {
		if a.Key == "src" {
			return strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "//")
		}
	}
	return false
}

// BadURL reports whether u (as the browser reads it, entities already decoded) uses a
// scheme that runs code or embeds a document: javascript:, vbscript:, data:.
func BadURL(u string) bool {
	// Browsers drop ASCII whitespace and control characters inside the scheme.
	var b strings.Builder
	for _, r := range u {
		if r <= ' ' || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.ToLower(b.String())
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "livescript:"} {
		if strings.HasPrefix(s, scheme) || strings.Contains(s, ","+scheme) || strings.Contains(s, " "+scheme) {
			return true
		}
	}
	return false
}
