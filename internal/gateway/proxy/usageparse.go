package proxy

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// parseUsage reads the usage object of a response. Nearly every model
// server sends a small object of integers ({"prompt_tokens":9,
// "completion_tokens":12,"total_tokens":21}, perhaps with
// "prompt_tokens_details":{"cached_tokens":0} or a null beside them; the
// Responses API's input_tokens and output_tokens the same way):
// parseFlatUsage reads that shape without encoding/json's reflection,
// which was 3% of the gateway's CPU on a model call. Whatever else it meets
// goes to encoding/json, the reference: FuzzParseFlatUsage checks that
// both agree whenever the fast path answers.
func parseUsage(b []byte) (usage, bool) {
	if u, ok := parseFlatUsage(b); ok {
		return u, true
	}
	var u *usage
	if err := json.Unmarshal(b, &u); err != nil || u == nil {
		return usage{}, false
	}
	return *u, true
}

// parseFlatUsage reads an object whose known keys (the usage fields, in
// exactly their case) hold integers, and whose other keys hold null, true,
// false, integers, or objects of those. Anything else (strings, fractions,
// a number past int64, escapes in a key, a key that differs from a known
// one only in case, which encoding/json would take for it) is not ok.
func parseFlatUsage(b []byte) (u usage, ok bool) {
	i, ok := flatObject(b, skipSpace(b, 0), &u)
	return u, ok && skipSpace(b, i) == len(b)
}

var usageKeys = [...]string{"prompt_tokens", "completion_tokens", "input_tokens", "output_tokens", "total_tokens"}

// flatObject reads the object at b[i:]; with u, it is the usage object and
// its known keys are stored; without, a nested object whose keys do not
// matter. It returns the index after the object.
func flatObject(b []byte, i int, u *usage) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 {
			return 0, false
		}
		key := b[i+1 : i+1+end]
		for _, c := range key {
			if c < 0x20 || c == '\\' {
				return 0, false // not JSON, or an escape to decode
			}
		}
		i = skipSpace(b, i+2+end)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		var field *int64
		if u != nil {
			switch string(key) {
			case "prompt_tokens":
				field = &u.PromptTokens
			case "completion_tokens":
				field = &u.CompletionTokens
			case "input_tokens":
				field = &u.InputTokens
			case "output_tokens":
				field = &u.OutputTokens
			case "total_tokens":
				field = &u.TotalTokens
			default:
				for _, name := range usageKeys {
					if bytes.EqualFold(key, []byte(name)) {
						return 0, false // encoding/json takes it for name
					}
				}
			}
		}
		var ok bool
		if field != nil {
			*field, i, ok = integer(b, i)
		} else {
			i, ok = flatValue(b, i, u != nil)
		}
		if !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return 0, false
		}
	}
}

// flatValue skips the value of a key that is not the usage's: null, true,
// false, an integer, or (in the usage object itself) an object of those.
func flatValue(b []byte, i int, objectOK bool) (int, bool) {
	for _, lit := range [...]string{"null", "true", "false"} {
		if bytes.HasPrefix(b[i:], []byte(lit)) {
			return i + len(lit), true
		}
	}
	if i < len(b) && b[i] == '{' && objectOK {
		return flatObject(b, i, nil)
	}
	_, i, ok := integer(b, i)
	return i, ok
}

// integer reads a JSON integer (no fraction or exponent) that fits int64.
func integer(b []byte, i int) (int64, int, bool) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == digits || (b[digits] == '0' && i-digits > 1) {
		return 0, 0, false // no digits, or a leading zero
	}
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(string(b[start:i]), 10, 64)
	return n, i, err == nil
}

// skipSpace is the index of the first byte of b[i:] that is not JSON's
// white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
