package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// maxHeldLine is the longest data: line held back to see whether it is the
// usage event: that event is a few hundred bytes, so a longer line is
// passed on as it comes.
const maxHeldLine = 8 << 10

// usageStripper keeps from the client the usage event of a stream whose
// usage the gateway asked for in its stead (includeusage.go): the data:
// event whose choices are empty and whose usage is set. It holds at most
// the line being written, until its end: every other event passes as it
// comes, and nothing else of the stream is buffered.
type usageStripper struct {
	http.ResponseWriter
	active    bool   // a 2xx event stream
	decided   bool   // the status is known
	held      []byte // the start of a line, not yet passed on
	passing   bool   // in a line passed on as it comes
	dropBlank bool   // a usage event was dropped: so is the blank line ending it
}

// stripUsage wraps w when the client did not ask for the usage the
// gateway asked for.
func stripUsage(w http.ResponseWriter, info *requestInfo) http.ResponseWriter {
	if !info.stripUsage {
		return w
	}
	return &usageStripper{ResponseWriter: w}
}

func (s *usageStripper) WriteHeader(code int) {
	if !s.decided && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.decided = true
		s.active = code >= 200 && code < 300 && strings.EqualFold(mediaType(s.Header().Get("Content-Type")), "text/event-stream")
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write takes all of p: what it holds back is written, or dropped, once
// its line ends.
func (s *usageStripper) Write(p []byte) (int, error) {
	if !s.decided {
		s.WriteHeader(http.StatusOK)
	}
	if !s.active {
		return s.ResponseWriter.Write(p)
	}
	n := len(p)
	var out []byte // the bytes of p passed on at once
	for len(p) > 0 {
		end := bytes.IndexByte(p, '\n')
		line := p
		if end >= 0 {
			line = p[:end+1]
		}
		p = p[len(line):]
		complete := end >= 0
		if s.passing {
			out = append(out, line...)
		} else {
			s.held = append(s.held, line...)
			switch {
			case !complete && len(s.held) <= maxHeldLine:
				continue // the line goes on in the next write
			case complete && s.dropBlank && (string(s.held) == "\n" || string(s.held) == "\r\n"):
				// the blank line that ended the dropped event
			case complete && isUsageEvent(s.held):
				s.held, s.dropBlank = s.held[:0], true
				continue
			default:
				out = append(out, s.held...)
				s.passing = !complete // too long to be the usage event: the rest as it comes
			}
			s.held = s.held[:0]
		}
		if complete {
			s.passing, s.dropBlank = false, false
		}
	}
	if len(out) > 0 {
		if _, err := s.ResponseWriter.Write(out); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// finish passes on a line the stream ended in the middle of.
func (s *usageStripper) finish() {
	if len(s.held) > 0 {
		_, _ = s.ResponseWriter.Write(s.held)
		s.held = nil
	}
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (s *usageStripper) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// isUsageEvent reports whether a data: line is the usage event of a
// stream: "choices" is an empty list and "usage" an object.
func isUsageEvent(line []byte) bool {
	data, ok := bytes.CutPrefix(line, []byte(dataField))
	if !ok {
		return false
	}
	data = bytes.TrimSpace(data)
	if !hasUsageObject(data) {
		return false // every other event of a stream: no decoding
	}
	var chunk struct {
		Choices *[]json.RawMessage `json:"choices"`
		Usage   json.RawMessage    `json:"usage"`
	}
	if json.Unmarshal(data, &chunk) != nil || chunk.Choices == nil || len(*chunk.Choices) > 0 {
		return false
	}
	u := bytes.TrimSpace(chunk.Usage)
	return len(u) > 0 && u[0] == '{'
}

// finish ends a response: a stripper passes on what it still holds.
func (w *usageWriter) finish() {
	if s, ok := w.ResponseWriter.(*usageStripper); ok {
		s.finish()
	}
}

// hasUsageObject reports whether data names "usage" with an object for
// value: a stream's other events have "usage": null or none, and are
// passed on without being decoded. (A key spelt with escapes is missed:
// that event then reaches the client, as if it had asked; the usage is
// still read, by the usageScanner.)
func hasUsageObject(data []byte) bool {
	const key = `"usage"`
	for {
		i := bytes.Index(data, []byte(key))
		if i < 0 {
			return false
		}
		data = data[i+len(key):]
		j := skipBlank(data, 0)
		if j < len(data) && data[j] == ':' {
			if k := skipBlank(data, j+1); k < len(data) && data[k] == '{' {
				return true
			}
		}
	}
}
