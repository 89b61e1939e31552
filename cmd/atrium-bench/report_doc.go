package main

import (
	"fmt"
	"strings"
)

// Generated figures live between these markers in docs/benchmarks.md; a rerun replaces
// only what is between them and leaves the hand-written text alone.
const (
	blockOpen  = "<!-- figures:%s -->"
	blockClose = "<!-- /figures -->"
)

// setBlock puts content into the block key of doc. An existing block is replaced; a new
// one goes into the section titled section ("## <section>"): after the section's first
// code block (its command) and the text up to the next subheading, or at the end of the
// section. Without such a section, a new one is appended with intro as its text.
func setBlock(doc, section, key, content, intro string) string {
	open := fmt.Sprintf(blockOpen, key)
	block := open + "\n" + strings.TrimRight(content, "\n") + "\n" + blockClose + "\n"
	if start := strings.Index(doc, open); start >= 0 {
		if end := strings.Index(doc[start:], blockClose); end >= 0 {
			end += start + len(blockClose)
			if end < len(doc) && doc[end] == '\n' {
				end++
			}
			return doc[:start] + block + doc[end:]
		}
	}
	if key == "header" {
		return insertAfterTitle(doc, block)
	}
	from, to, ok := sectionBounds(doc, section)
	if !ok {
		doc = strings.TrimRight(doc, "\n") + "\n\n## " + section + "\n\n" + strings.TrimRight(intro, "\n") + "\n\n"
		return doc + block
	}
	at := insertionPoint(doc[from:to]) + from
	return doc[:at] + block + "\n" + doc[at:]
}

// insertAfterTitle puts block after the document's "# " title line.
func insertAfterTitle(doc, block string) string {
	if strings.HasPrefix(doc, "# ") {
		nl := strings.IndexByte(doc, '\n')
		if nl < 0 {
			return doc + "\n\n" + block
		}
		return doc[:nl+1] + "\n" + block + doc[nl+1:]
	}
	return block + "\n" + doc
}

// sectionBounds finds "## <title>" and returns where its text starts and ends (the next
// "## " heading or the end of the document).
func sectionBounds(doc, title string) (from, to int, ok bool) {
	heading := "## " + title + "\n"
	i := 0
	for {
		j := strings.Index(doc[i:], heading)
		if j < 0 {
			return 0, 0, false
		}
		j += i
		if j == 0 || doc[j-1] == '\n' {
			from = j + len(heading)
			break
		}
		i = j + 1
	}
	to = len(doc)
	if k := strings.Index(doc[from:], "\n## "); k >= 0 {
		to = from + k + 1
	}
	return from, to, true
}

// insertionPoint is where a section's figures go: before the first "### " heading that
// follows the section's first code block, else at the end of the section.
func insertionPoint(section string) int {
	after := 0
	if i := strings.Index(section, "```"); i >= 0 {
		if j := strings.Index(section[i+3:], "\n```"); j >= 0 {
			after = i + 3 + j + len("\n```")
		}
	}
	if k := strings.Index(section[after:], "\n### "); k >= 0 {
		return after + k + 1
	}
	return len(section)
}
