package main

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The operations a virtual user performs.
const (
	opHome    = "home"    // first page of the home timeline
	opScroll  = "scroll"  // the next page, from the previous page's cursor
	opPost    = "post"    // a new company post
	opComment = "comment" // a reply to a post of the last page read
	opReact   = "react"   // a like on a post of the last page read
)

var knownOps = []string{opHome, opScroll, opPost, opComment, opReact}

// defaultMix is what a user does after each pause: mostly reading, now and then writing.
const defaultMix = "home=70,scroll=15,react=8,comment=4,post=3"

// mix picks the next operation by weight.
type mix struct {
	ops     []string
	weights []int // cumulative
}

// parseMix reads "op=weight,..." with weights as whole numbers (they need not add to 100).
func parseMix(s string) (mix, error) {
	var m mix
	seen := map[string]bool{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return m, fmt.Errorf("mix %q: %q is not op=weight", s, part)
		}
		if !isKnownOp(name) {
			return m, fmt.Errorf("mix %q: unknown operation %q (known: %s)", s, name, strings.Join(knownOps, ", "))
		}
		if seen[name] {
			return m, fmt.Errorf("mix %q: %s given twice", s, name)
		}
		seen[name] = true
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return m, fmt.Errorf("mix %q: weight of %s must be a whole number ≥ 0", s, name)
		}
		if n == 0 {
			continue
		}
		total += n
		m.ops = append(m.ops, name)
		m.weights = append(m.weights, total)
	}
	if total == 0 {
		return m, fmt.Errorf("mix %q: no operation has a weight", s)
	}
	return m, nil
}

func isKnownOp(name string) bool {
	for _, k := range knownOps {
		if k == name {
			return true
		}
	}
	return false
}

// pick returns an operation with probability proportional to its weight.
func (m mix) pick(rng *rand.Rand) string {
	n := rng.IntN(m.weights[len(m.weights)-1])
	i := sort.SearchInts(m.weights, n+1)
	return m.ops[i]
}

// String gives the mix back as percentages, for the report.
func (m mix) String() string {
	total := m.weights[len(m.weights)-1]
	prev := 0
	var parts []string
	for i, op := range m.ops {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", op, 100*float64(m.weights[i]-prev)/float64(total)))
		prev = m.weights[i]
	}
	return strings.Join(parts, ", ")
}

// think is a user's pause between two requests: uniform in [min, max].
type think struct{ min, max time.Duration }

// parseThink reads "1s-3s", a single duration, or "0" for no pause (closed loop).
func parseThink(s string) (think, error) {
	lo, hi, found := strings.Cut(s, "-")
	a, err := time.ParseDuration(strings.TrimSpace(lo))
	if err != nil {
		return think{}, fmt.Errorf("think %q: %w", s, err)
	}
	b := a
	if found {
		if b, err = time.ParseDuration(strings.TrimSpace(hi)); err != nil {
			return think{}, fmt.Errorf("think %q: %w", s, err)
		}
	}
	if a < 0 || b < a {
		return think{}, fmt.Errorf("think %q: want min-max with 0 ≤ min ≤ max", s)
	}
	return think{a, b}, nil
}

func (t think) draw(rng *rand.Rand) time.Duration {
	if t.max == t.min {
		return t.min
	}
	return t.min + time.Duration(rng.Int64N(int64(t.max-t.min)))
}

func (t think) String() string {
	if t.min == t.max {
		return t.min.String()
	}
	return t.min.String() + "–" + t.max.String()
}
