package proxy

import (
	"net/http"
	"strings"
	"time"
)

// Usage reading: the model tokens of an OpenAI-compatible response are in its
// top-level "usage" object ({"prompt_tokens", "completion_tokens",
// "total_tokens"}, or the Responses API's "input_tokens" and
// "output_tokens"); in a stream (server-sent events) the caller asks for
// them with stream_options.include_usage and the last `data:` event before
// [DONE] carries them, or (Responses) the response.completed event carries
// them in its "response". The bytes are read as they pass, after they are
// written to the caller: nothing is buffered or held back, and only the
// usage object itself (at most maxUsageBytes) is kept.

const maxUsageBytes = 4 << 10

// usage is the OpenAI `usage` object: Chat Completions' prompt and
// completion tokens, or the Responses API's input and output tokens.
type usage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	InputTokens      int64 `json:"input_tokens"`
	OutputTokens     int64 `json:"output_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

// input is the tokens read: the prompt's, or the Responses API's input
// (a response names one of the two).
func (u usage) input() int64 { return max(0, u.PromptTokens) + max(0, u.InputTokens) }

// output is the tokens written: the completion's, or the output.
func (u usage) output() int64 { return max(0, u.CompletionTokens) + max(0, u.OutputTokens) }

func (u usage) total() int64 {
	if u.TotalTokens > 0 {
		return u.TotalTokens
	}
	return u.input() + u.output()
}

// usageScanner finds the usage of a JSON body, or of an event stream.
type usageScanner struct {
	sse   bool
	json  jsonScanner
	last  usage // the last usage found
	found bool

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
	mt := mediaType(contentType)
	switch {
	case strings.EqualFold(mt, "text/event-stream"):
		return &usageScanner{sse: true, json: jsonScanner{event: true}}
	case strings.EqualFold(mt, "application/json") || (len(mt) > 5 && strings.EqualFold(mt[len(mt)-5:], "+json")):
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
			end := lineEnd(p)
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

// lineEnd is the index of the first \r or \n of p, or len(p). (A loop:
// bytes.IndexAny builds its set of bytes anew at every call.)
func lineEnd(p []byte) int {
	for i, c := range p {
		if c == '\r' || c == '\n' {
			return i
		}
	}
	return len(p)
}

// Tokens is the usage found: the JSON body's, or the last event's.
func (s *usageScanner) Tokens() (int64, bool) {
	u, ok := s.Usage()
	return u.total(), ok
}

// Usage is the usage object found, prompt and completion apart.
func (s *usageScanner) Usage() (usage, bool) {
	if !s.sse {
		return s.json.parsed()
	}
	s.endEvent() // a stream may end without the blank line after its last event
	return s.last, s.found
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
	if u, ok := s.json.parsed(); ok {
		s.last, s.found = u, true
	}
	s.json = jsonScanner{event: true, captured: s.json.captured[:0]} // the buffer serves the next event
}

// usageWriter passes a proxied response through, reading its usage and
// noting when its headers came.
type usageWriter struct {
	http.ResponseWriter
	scan      *usageScanner
	headersAt time.Time
	status    int
	// requestID is the call's ledger row's key, sent to the caller as
	// X-Request-Id (as OpenAI does, and its SDKs expose): a person can name
	// the call, and the ledger be checked against what callers got. It
	// replaces the model server's own.
	requestID string
}

// HeaderRequestID carries the ID of a call's ledger row in its response.
const HeaderRequestID = "X-Request-Id"

func (w *usageWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final status is still to come
		return
	}
	if w.status == 0 {
		w.status, w.headersAt = code, time.Now()
		if w.requestID != "" {
			w.Header()[HeaderRequestID] = []string{w.requestID}
		}
		if code >= 200 && code < 300 {
			w.scan = newUsageScanner(w.Header().Get("Content-Type"))
		}
	}
	w.ResponseWriter.WriteHeader(code)
	startStream(w.ResponseWriter, code)
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
