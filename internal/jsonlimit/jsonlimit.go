// Package jsonlimit checks the nesting depth of a JSON document before it is decoded, so
// deep nesting cannot make decoding of remote or client input costly.
package jsonlimit

import (
	"errors"
	"fmt"
)

// MaxDepth is the nesting of objects and arrays Atrium accepts in requests and remote
// documents; real ones nest a handful of levels.
const MaxDepth = 32

// ErrTooDeep marks a document nested deeper than allowed.
var ErrTooDeep = errors.New("JSON nested too deep")

// CheckDepth refuses b when its objects and arrays nest deeper than max. It only tracks
// brackets outside strings; whether b is valid JSON is left to the decoder.
func CheckDepth(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return fmt.Errorf("%w: more than %d levels", ErrTooDeep, max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
