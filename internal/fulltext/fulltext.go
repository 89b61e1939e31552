// Package fulltext turns text into search terms and search queries into match
// expressions, the same way for SQLite FTS5 and PostgreSQL tsvector.
//
// Neither database stems German and English alike (FTS5 knows only the English porter
// stemmer), so the words are stemmed here: every word of a post is indexed as itself
// (the simple fallback), its English stem and its German stem, and every word of a query
// matches any of its own three forms. Both databases then only split the term string on
// spaces, which gives the same matches on both.
package fulltext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/german"
)

// MaxQueryRunes bounds what a user may type into the search box.
const MaxQueryRunes = 200

// maxQueryWords bounds the words of a query that take part, so a long query costs no
// more than a short one.
const maxQueryWords = 8

// maxWordBytes skips longer "words" (hashes, base64, URLs without separators): nobody
// searches for them and PostgreSQL refuses lexemes over 2 KiB.
const maxWordBytes = 64

// stopwords are left out of the index and of queries: they match most posts, and
// ranking a query by them costs a walk over a large part of the index. Words that mean
// something in the other language (war, will, hat, bin, die in English) stay searchable
// where they are not in both lists.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a an and are as at be but by for from has have he her his i if in into is it its
		of on or our she that the their them then there these they this to was we were
		what when where which who with you your
		aber als am auf aus bei da dass das dem den der des die doch du ein eine einem
		einen einer eines er es für ich ihr im ist ja kein mit nach nicht noch nur oder
		sich sie sind so um und uns von vor was wenn wie wir wird zu zum zur`) {
		m[w] = true
	}
	return m
}()

// isWordRune reports whether r belongs to a word: letters and numbers, as SQLite's
// unicode61 tokenizer sees them.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// span is one word of a text: its byte range and its lower-cased form.
type span struct {
	start, end int
	word       string
}

// words splits text into lower-cased words with their positions.
func words(text string) []span {
	var out []span
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start <= maxWordBytes {
			out = append(out, span{start: start, end: end, word: strings.ToLower(text[start:end])})
		}
		start = -1
	}
	for i, r := range text {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// stemmer stems one word at a time; not safe for concurrent use.
type stemmer struct{ env *snowballstem.Env }

func newStemmer() *stemmer { return &stemmer{env: snowballstem.NewEnv("")} }

// forms returns the word, its English stem and its German stem, without repeats.
func (s *stemmer) forms(w string) []string {
	out := []string{w}
	s.env.SetCurrent(w)
	english.Stem(s.env)
	if en := s.env.Current(); en != "" && en != w {
		out = append(out, en)
	}
	s.env.SetCurrent(w)
	german.Stem(s.env)
	if de := s.env.Current(); de != "" && de != w && (len(out) == 1 || de != out[1]) {
		out = append(out, de)
	}
	return out
}

// Terms returns the index terms of a plain text: each word with its stems, separated by
// spaces, stopwords left out.
func Terms(text string) string {
	st := newStemmer()
	var b strings.Builder
	for _, w := range words(text) {
		if stopwords[w.word] {
			continue
		}
		for _, f := range st.forms(w.word) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f)
		}
	}
	return b.String()
}

// Query is a parsed search query. All of its words must match; a word matches any of
// its forms.
type Query struct {
	// Words are the lower-cased words as typed, stopwords included (names may be
	// stopwords), for prefix matching of people and groups.
	Words []string
	// Forms holds, per word that is not a stopword, the word and its stems.
	Forms [][]string
	// match is every form of every word, for highlighting.
	match map[string]bool
}

// Parse reads what the user typed. Any character other than letters and digits
// separates words, so quotes, operators and column filters of either database's query
// language never reach it.
func Parse(text string) Query {
	q := Query{match: map[string]bool{}}
	st := newStemmer()
	seen := map[string]bool{}
	for _, w := range words(text) {
		if seen[w.word] {
			continue
		}
		seen[w.word] = true
		if len(q.Words) == maxQueryWords {
			break
		}
		q.Words = append(q.Words, w.word)
		if stopwords[w.word] {
			continue
		}
		forms := st.forms(w.word)
		q.Forms = append(q.Forms, forms)
		for _, f := range forms {
			q.match[f] = true
		}
	}
	return q
}

// Empty reports whether the query has no word to match posts by.
func (q Query) Empty() bool { return len(q.Forms) == 0 }

// FTS5 is the query as an SQLite FTS5 match expression over the index terms. Every
// term is quoted; terms hold letters and digits only.
func (q Query) FTS5() string {
	parts := make([]string, len(q.Forms))
	for i, forms := range q.Forms {
		quoted := make([]string, len(forms))
		for j, f := range forms {
			quoted[j] = `"` + f + `"`
		}
		parts[i] = "(" + strings.Join(quoted, " OR ") + ")"
	}
	return strings.Join(parts, " AND ")
}

// TSQuery is the query in PostgreSQL's to_tsquery syntax over the index terms.
func (q Query) TSQuery() string {
	parts := make([]string, len(q.Forms))
	for i, forms := range q.Forms {
		quoted := make([]string, len(forms))
		for j, f := range forms {
			quoted[j] = "'" + f + "'"
		}
		parts[i] = "(" + strings.Join(quoted, " | ") + ")"
	}
	return strings.Join(parts, " & ")
}

// PrefixFTS5 matches every typed word as the start of a word, for names: "ann" finds
// Anna. Empty when the query has no words.
func (q Query) PrefixFTS5() string {
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = `"` + w + `"*`
	}
	return strings.Join(parts, " AND ")
}

// PrefixTSQuery is PrefixFTS5 in to_tsquery syntax.
func (q Query) PrefixTSQuery() string {
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = "'" + w + "':*"
	}
	return strings.Join(parts, " & ")
}

// Matches reports whether a word of a text would match the query (for highlighting).
func (q Query) matches(st *stemmer, w string) bool {
	if q.match[w] {
		return true
	}
	if stopwords[w] {
		return false
	}
	for _, f := range st.forms(w)[1:] {
		if q.match[f] {
			return true
		}
	}
	return false
}

// Snippet cuts the part of plain text with the most query words, at most maxRunes
// long, and returns it as safe HTML: everything escaped, matched words in <mark>.
func Snippet(plain string, q Query, maxRunes int) string {
	st := newStemmer()
	ws := words(plain)
	var hits []span
	for _, w := range ws {
		if q.matches(st, w.word) {
			hits = append(hits, w)
		}
	}
	start, end := window(plain, hits, maxRunes)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, h := range hits {
		if h.start < start || h.end > end {
			continue
		}
		b.WriteString(escape(plain[pos:h.start]))
		b.WriteString("<mark>")
		b.WriteString(escape(plain[h.start:h.end]))
		b.WriteString("</mark>")
		pos = h.end
	}
	b.WriteString(escape(plain[pos:end]))
	if end < len(plain) {
		b.WriteString("…")
	}
	return b.String()
}

// window picks the byte range of at most maxRunes runes holding the most hits,
// starting a little before the first of them so the reader sees some context.
func window(text string, hits []span, maxRunes int) (int, int) {
	if utf8.RuneCountInString(text) <= maxRunes {
		return 0, len(text)
	}
	const lead = 30 // runes of context before the first hit
	best, bestStart := -1, 0
	for i, h := range hits {
		n := 0
		limit := advance(text, back(text, h.start, lead), maxRunes)
		for _, o := range hits[i:] {
			if o.end > limit {
				break
			}
			n++
		}
		if n > best {
			best, bestStart = n, h.start
		}
	}
	start := 0
	if best >= 0 {
		start = back(text, bestStart, lead)
	}
	end := advance(text, start, maxRunes)
	// Cut at word boundaries where possible, never inside a character.
	if start > 0 {
		if i := strings.IndexFunc(text[start:bestStart], func(r rune) bool { return !isWordRune(r) }); i >= 0 {
			start += i
		} else {
			start = bestStart
		}
		start = skipSpace(text, start)
	}
	if end < len(text) {
		if i := strings.LastIndexFunc(text[start:end], func(r rune) bool { return !isWordRune(r) }); i > 0 {
			end = start + i
		}
	}
	return start, end
}

// back returns the byte offset n runes before i.
func back(text string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	return i
}

// advance returns the byte offset n runes after i.
func advance(text string, i, n int) int {
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

func skipSpace(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\n') {
		i++
	}
	return i
}

// escape HTML-escapes text for element content and attributes.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace
