package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// Why a request body's model cannot be read. Each is a 400: a model server
// must never see a different model than the one the gateway checked.
var (
	errBodyNotJSON  = errors.New("the request body starts as a JSON object but is not valid JSON")
	errModelTwice   = errors.New(`the request body names "model" more than once: JSON parsers disagree on which one counts (the first, the last), so the gateway refuses to guess`)
	errModelNotText = errors.New(`the request body's "model" is not a string: name the model, such as "model": "llama-3.1-8b"`)
)

// requestModel reads the top-level "model" of a request body. A body whose
// first non-blank byte is not { is no JSON object (a form, a file, nothing)
// and names no model, whatever its Content-Type: servers such as Ollama's
// parse JSON whatever the Content-Type says, so the gateway goes by the
// bytes. One that is must be valid JSON, as strict as Go's parser (no
// byte order mark, no NaN, nothing after the object), and name "model" at
// most once, in any spelling a parser decodes to "model" ("mod\u0065l").
func requestModel(body []byte) (name string, found bool, err error) {
	i := skipBlank(body, 0)
	if i == len(body) || body[i] != '{' {
		return "", false, nil
	}
	if !json.Valid(body) {
		return "", false, errBodyNotJSON
	}
	// Valid JSON from here: the walk below needs no error handling.
	for i = skipBlank(body, i+1); body[i] != '}'; {
		keyEnd := stringEnd(body, i)
		key := body[i:keyEnd]
		i = skipBlank(body, skipBlank(body, keyEnd)+1) // past the colon
		end := valueEnd(body, i)
		if isModelKey(key) {
			if found {
				return "", false, errModelTwice
			}
			var ok bool
			if found = true; body[i] == '"' {
				name, ok = unquote(body[i:end])
			}
			if !ok {
				return "", false, errModelNotText
			}
		}
		if i = skipBlank(body, end); body[i] == ',' {
			i = skipBlank(body, i+1)
		}
	}
	return name, found, nil
}

// unquote decodes a JSON string that json.Valid accepted, as
// encoding/json does. Most model names have no escape and are valid UTF-8:
// their bytes are the name (encoding/json copies them as they are too),
// without the decoder's reflection and allocations. Others, such as
// "bench\u002da" or a name with invalid UTF-8 (which encoding/json turns
// into U+FFFD), go to encoding/json. FuzzUnquote holds the two to one
// answer.
func unquote(quoted []byte) (string, bool) {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	return s, json.Unmarshal(quoted, &s) == nil
}

func isModelKey(quoted []byte) bool {
	if string(quoted) == `"model"` {
		return true
	}
	if bytes.IndexByte(quoted, '\\') < 0 {
		return false
	}
	var key string
	return json.Unmarshal(quoted, &key) == nil && key == "model"
}

func skipBlank(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// valueEnd is the index after the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
