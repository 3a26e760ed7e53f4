package gateway

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"time"
)

// Usage reading: the model tokens of an OpenAI-compatible response are in its
// top-level "usage" object ({"prompt_tokens", "completion_tokens",
// "total_tokens"}); in a stream (server-sent events) the caller asks for them
// with stream_options.include_usage and the last `data:` event before
// [DONE] carries them. The bytes are read as they pass, after they are
// written to the caller: nothing is buffered or held back, and only the
// usage object itself (at most maxUsageBytes) is kept.

const maxUsageBytes = 4 << 10

// usage is the OpenAI `usage` object.
type usage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

func (u usage) total() int64 {
	if u.TotalTokens > 0 {
		return u.TotalTokens
	}
	return max(0, u.PromptTokens) + max(0, u.CompletionTokens)
}

// usageScanner finds the usage of a JSON body, or of an event stream.
type usageScanner struct {
	sse    bool
	json   jsonScanner
	tokens int64 // the last usage found
	found  bool

	// Event-stream line state.
	midLine  bool // past the start of a line
	matched  int  // bytes of "data:" matched at the start of the line
	inData   bool // in the value of a data: line
	skipLine bool // in a line that is not data:
	afterCR  bool // a \r ended the last line: a \n right after it is part of it
}

const dataField = "data:"

// newUsageScanner returns a scanner for a response with this Content-Type,
// or nil when such responses carry no usage.
func newUsageScanner(contentType string) *usageScanner {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "text/event-stream":
		return &usageScanner{sse: true}
	case mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json"):
		return &usageScanner{}
	}
	return nil
}

// Write feeds the next bytes of the body.
func (s *usageScanner) Write(p []byte) {
	if !s.sse {
		s.json.feed(p)
		return
	}
	for len(p) > 0 {
		if s.inData || s.skipLine {
			// The rest of the line in one go: the JSON of a data: line, or
			// nothing for the other lines.
			end := bytes.IndexAny(p, "\r\n")
			if end < 0 {
				end = len(p)
			}
			if s.inData {
				s.json.feed(p[:end])
			}
			s.midLine = s.midLine || end > 0
			if p = p[end:]; len(p) == 0 {
				return
			}
		}
		s.sseByte(p[0])
		p = p[1:]
	}
}

// Tokens is the usage found: the JSON body's, or the last event's.
func (s *usageScanner) Tokens() (int64, bool) {
	if !s.sse {
		return s.json.usage()
	}
	s.endEvent() // a stream may end without the blank line after its last event
	return s.tokens, s.found
}

func (s *usageScanner) sseByte(c byte) {
	if c == '\n' && s.afterCR {
		s.afterCR = false
		return
	}
	s.afterCR = c == '\r'
	if c == '\n' || c == '\r' {
		if !s.midLine {
			s.endEvent() // a blank line dispatches the event
		}
		s.midLine, s.matched, s.inData, s.skipLine = false, 0, false, false
		return
	}
	s.midLine = true
	switch {
	case s.inData:
		s.json.feedByte(c) // the space after "data:" is white space to JSON
	case s.skipLine:
	case c == dataField[s.matched]:
		s.matched++
		s.inData = s.matched == len(dataField)
	default:
		s.skipLine = true // event:, id:, retry:, a :comment
	}
}

// endEvent keeps the usage of the event that ends, if it has one.
func (s *usageScanner) endEvent() {
	if n, ok := s.json.usage(); ok {
		s.tokens, s.found = n, true
	}
	s.json = jsonScanner{captured: s.json.captured[:0]} // the buffer serves the next event
}

// jsonScanner follows a JSON text just enough to capture the value of its
// top-level "usage" key: nesting depth, strings and escapes, top-level
// keys. "usage" inside a string or a nested object is not it.
type jsonScanner struct {
	depth     int
	topObject bool // the text is an object
	inString  bool
	escaped   bool
	expectKey bool // at depth 1, the next string is a key
	inKey     bool
	afterKey  bool // a key was read; its colon comes next
	key       [len("usage") + 1]byte
	keyLen    int
	capturing bool
	captured  []byte
	done      bool // the usage value was captured (or was too big)
}

func (j *jsonScanner) feed(p []byte) {
	for i := 0; i < len(p); i++ {
		if j.inString && !j.escaped && !j.inKey {
			// Most bytes are inside strings: skip to the next quote or backslash.
			k := i
			for k < len(p) && p[k] != '"' && p[k] != '\\' {
				k++
			}
			j.keep(p[i:k])
			if i = k; i == len(p) {
				return
			}
		} else if !j.inString && j.depth > 1 {
			// Inside nested values (numbers of embeddings, choices), only
			// strings and brackets matter.
			k := i
			for k < len(p) && !nested[p[k]] {
				k++
			}
			j.keep(p[i:k])
			if i = k; i == len(p) {
				return
			}
		}
		j.feedByte(p[i])
	}
}

// nested are the bytes that matter in a value nested in the top object.
var nested = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// keep adds bytes of the usage value being captured.
func (j *jsonScanner) keep(p []byte) {
	if !j.capturing {
		return
	}
	if len(j.captured)+len(p) > maxUsageBytes {
		j.capturing, j.done, j.captured = false, true, nil
		return
	}
	j.captured = append(j.captured, p...)
}

func (j *jsonScanner) feedByte(c byte) {
	j.keep([]byte{c})
	if j.inString {
		switch {
		case j.escaped:
			j.escaped = false
		case c == '\\':
			j.escaped = true
		case c == '"':
			j.inString = false
			if j.inKey {
				j.inKey, j.afterKey = false, true
			}
			return
		}
		if j.inKey && j.keyLen < len(j.key) {
			j.key[j.keyLen] = c
			j.keyLen++
		}
		return
	}
	switch c {
	case '"':
		j.inString = true
		if j.depth == 1 && j.topObject && j.expectKey {
			j.inKey, j.expectKey, j.keyLen = true, false, 0
		}
	case ':':
		if j.depth == 1 && j.afterKey {
			j.afterKey = false
			if string(j.key[:j.keyLen]) == "usage" && !j.done {
				j.capturing, j.captured = true, j.captured[:0]
			}
		}
	case '{', '[':
		if j.depth == 0 && c == '{' {
			j.topObject, j.expectKey = true, true
		}
		j.depth++
	case '}', ']':
		j.depth--
		if j.depth == 0 {
			j.endValue()
		}
	case ',':
		if j.depth == 1 {
			j.endValue()
			j.expectKey = true
		}
	}
}

// endValue ends the capture of the usage value at the , or } after it.
func (j *jsonScanner) endValue() {
	if j.capturing {
		j.capturing, j.done = false, true
		j.captured = j.captured[:len(j.captured)-1]
	}
}

func (j *jsonScanner) usage() (int64, bool) {
	if !j.done || j.capturing || len(j.captured) == 0 {
		return 0, false
	}
	if v := bytes.TrimSpace(j.captured); string(v) == "null" {
		return 0, false // as streams send before their last event
	}
	var u *usage
	if err := json.Unmarshal(j.captured, &u); err != nil || u == nil {
		return 0, false
	}
	return u.total(), true
}

// usageWriter passes a proxied response through, reading its usage and
// noting when its headers came.
type usageWriter struct {
	http.ResponseWriter
	scan      *usageScanner
	headersAt time.Time
	status    int
}

func (w *usageWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final status is still to come
		return
	}
	if w.status == 0 {
		w.status, w.headersAt = code, time.Now()
		if code >= 200 && code < 300 {
			w.scan = newUsageScanner(w.Header().Get("Content-Type"))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *usageWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	if w.scan != nil {
		w.scan.Write(p[:n])
	}
	return n, err
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (w *usageWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// tokens is the response's usage, if it had one.
func (w *usageWriter) tokens() (int64, bool) {
	if w.scan == nil {
		return 0, false
	}
	return w.scan.Tokens()
}
