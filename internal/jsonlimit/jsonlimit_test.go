package jsonlimit

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		deep bool
	}{
		{`{"a":[1,{"b":2}]}`, false},
		{strings.Repeat("[", 32) + strings.Repeat("]", 32), false},
		{strings.Repeat("[", 33) + strings.Repeat("]", 33), true},
		{`{"a":"` + strings.Repeat("{", 100) + `"}`, false},
		{`{"a":"\"` + strings.Repeat("{", 100) + `"}`, false},
		{`{"a":"\\"` + strings.Repeat(",{", 40), true},
	} {
		err := CheckDepth([]byte(tc.in), MaxDepth)
		if got := errors.Is(err, ErrTooDeep); got != tc.deep {
			t.Errorf("CheckDepth(%.40q) = %v, want deep=%v", tc.in, err, tc.deep)
		}
	}
}
