package activitypub

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Serialize turns t into a JSON-ready map whose @context is the Atrium context of the node
// at origin, keeping any vocabulary go-fed added that Context does not name.
func Serialize(origin string, t vocab.Type) (map[string]interface{}, error) {
	if t == nil {
		return nil, fmt.Errorf("activitypub: serialize: nil value")
	}
	m, err := streams.Serialize(t)
	if err != nil {
		return nil, fmt.Errorf("activitypub: serialize %s: %w", t.GetTypeName(), err)
	}
	m["@context"] = mergeContext(Context(origin), m["@context"])
	return m, nil
}

// Marshal is Serialize followed by JSON encoding.
func Marshal(origin string, t vocab.Type) ([]byte, error) {
	m, err := Serialize(origin, t)
	if err != nil {
		return nil, err
	}
	// HTML in content stays readable: the escaping json.Marshal does by default protects
	// only HTML pages embedding the JSON, which ActivityPub documents are not.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("activitypub: marshal %s: %w", t.GetTypeName(), err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// mergeContext appends to ours the entries of go-fed's context that it lacks: IRIs not
// already listed, and alias maps as they are.
func mergeContext(ours []interface{}, theirs interface{}) []interface{} {
	have := make(map[string]bool, len(ours))
	for _, v := range ours {
		if s, ok := v.(string); ok {
			have[s] = true
		}
	}
	var extra []interface{}
	add := func(v interface{}) {
		switch c := v.(type) {
		case string:
			if !have[c] {
				have[c] = true
				extra = append(extra, c)
			}
		case map[string]string:
			if len(c) > 0 {
				extra = append(extra, c)
			}
		case map[string]interface{}:
			if len(c) > 0 {
				extra = append(extra, c)
			}
		}
	}
	switch c := theirs.(type) {
	case []interface{}:
		for _, v := range c {
			add(v)
		}
	default:
		add(c)
	}
	if len(extra) == 0 {
		return ours
	}
	// Term maps must come last in the array so that strings listed after them cannot
	// redefine Atrium terms; keep our map at the very end.
	out := make([]interface{}, 0, len(ours)+len(extra))
	out = append(out, ours[:len(ours)-1]...)
	out = append(out, extra...)
	return append(out, ours[len(ours)-1])
}
