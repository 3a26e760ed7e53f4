package proxy

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The usage scanner agrees with encoding/json: for a JSON object, the usage
// it finds (fed in pieces) is the top-level "usage" key's, or in a stream's
// event the top-level "response" object's "usage" key's, as
// encoding/json reads them. Bodies where the two readings could differ by
// design are left out: a key given twice (encoding/json takes the last,
// the scanner the first), both places set in one event, a key spelled with
// escapes (the scanner matches the bytes), a usage over maxUsageBytes.
func FuzzUsageScanner(f *testing.F) {
	for _, s := range []string{
		`{"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}`,
		`{"choices":[{"text":"\"usage\":{}"}],"usage":{"total_tokens":7}}`,
		`{"type":"response.completed","response":{"id":"r","usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}}`,
		`{"response":{"output":[{"usage":{"total_tokens":9}}]},"usage":null}`,
		`{"response":"usage","usage":{"total_tokens":4}}`,
		`{"meta":{"usage":{"total_tokens":5}},"usage":{"input_tokens":1}}`,
	} {
		f.Add([]byte(s), false, uint8(3))
		f.Add([]byte(s), true, uint8(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, event bool, chunk uint8) {
		want, wantOK, comparable := referenceUsage(body, event)
		if !comparable {
			return
		}
		j := jsonScanner{event: event}
		size := int(chunk%16) + 1
		for i := 0; i < len(body); i += size {
			j.feed(body[i:min(i+size, len(body))])
		}
		got, ok := j.parsed()
		if ok != wantOK || got != want {
			t.Fatalf("event %v: scanner %+v %v; encoding/json %+v %v\n%s", event, got, ok, want, wantOK, body)
		}
	})
}

// referenceUsage reads body's usage with encoding/json; comparable is false
// where the scanner may differ by design (see FuzzUsageScanner).
func referenceUsage(body []byte, event bool) (u usage, found, comparable bool) {
	if !json.Valid(body) {
		return usage{}, false, false
	}
	top, kind := rawObject(body)
	switch kind {
	case notAnObject:
		return usage{}, false, true
	case refused:
		return usage{}, false, false
	}
	raw, in := top["usage"]
	if event && isObject(top["response"]) {
		resp, kind := rawObject(top["response"])
		if kind == refused {
			return usage{}, false, false
		}
		if r, inResponse := resp["usage"]; inResponse {
			if in {
				return usage{}, false, false // both: the scanner takes the first
			}
			raw, in = r, true
		}
	}
	switch {
	case !in:
		return usage{}, false, true
	case len(raw) > maxUsageBytes:
		return usage{}, false, false
	case string(raw) == "null":
		return usage{}, false, true
	}
	u, found = parseUsage(raw)
	return u, found, true
}

func isObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// What rawObject found.
const (
	anObject = iota
	notAnObject
	refused // an object with a key given twice, or spelled with an escape
)

// rawObject is the JSON object b (valid JSON), its keys to their raw
// values.
func rawObject(b []byte) (map[string]json.RawMessage, int) {
	if !isObject(b) {
		return nil, notAnObject
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token() // {
	out := map[string]json.RawMessage{}
	for dec.More() {
		before := dec.InputOffset()
		key, _ := dec.Token()
		rawKey := bytes.TrimLeft(b[before:dec.InputOffset()], " \t\r\n,")
		k := key.(string)
		if _, twice := out[k]; twice || bytes.IndexByte(rawKey, '\\') >= 0 {
			return nil, refused
		}
		var v json.RawMessage
		dec.Decode(&v)
		out[k] = bytes.TrimSpace(v)
	}
	return out, anObject
}
