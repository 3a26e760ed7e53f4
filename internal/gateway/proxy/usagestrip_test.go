package proxy

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The usage event is dropped whatever the writes cut the stream into,
// and every other byte passes, in order.
func TestUsageStripperInAnyWrites(t *testing.T) {
	long := strings.Repeat("x", maxHeldLine+10)
	in := ": keep-alive\r\n\r\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n" +
		"data: {\"choices\":[{\"delta\":{\"content\":\"" + long + "\"}}]}\n\n" +
		"data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\r\n\r\n" +
		"data: {\"choices\":[],\"usage\":null}\n\n" +
		"data: [DONE]\n\nevent: end\ndata: unfinished"
	want := strings.Replace(in, "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\r\n\r\n", "", 1)
	for _, size := range []int{1, 2, 7, 64, len(in)} {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		s := &usageStripper{ResponseWriter: rec}
		for p := in; len(p) > 0; {
			n := min(size, len(p))
			w, err := s.Write([]byte(p[:n]))
			assert.NoError(t, err)
			assert.Equal(t, n, w)
			p = p[n:]
		}
		s.finish()
		assert.Equal(t, want, rec.Body.String(), "writes of %d bytes", size)
	}
}

// Only a successful event stream is touched.
func TestUsageStripperPassesOtherResponses(t *testing.T) {
	body := "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n"
	for _, c := range []struct {
		contentType string
		status      int
	}{{"application/json", 200}, {"text/event-stream", 500}} {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", c.contentType)
		s := &usageStripper{ResponseWriter: rec}
		s.WriteHeader(c.status)
		s.Write([]byte(body))
		s.finish()
		assert.Equal(t, body, rec.Body.String())
	}
}

// The usage event is told from the others, in any JSON spacing; an event
// whose usage is null, or that only mentions "usage" in its text, passes.
func TestIsUsageEvent(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{`data: {"choices":[],"usage":{"total_tokens":3}}`, true},
		{"data: { \"choices\" : [ ] , \"usage\" :\t{ \"total_tokens\": 3 } }", true},
		{`data: {"usage":{"total_tokens":3},"choices":[]}`, true},
		{`data: {"choices":[{"delta":{"content":"the \"usage\" of it"}}],"usage":null}`, false},
		{`data: {"choices":[],"usage":null}`, false},
		{`data: {"choices":[{"delta":{}}],"usage":{"total_tokens":3}}`, false}, // a choice: not the usage event
		{`data: {"choices":[],"note":"\"usage\":{","usage":null}`, false},      // a pre-check's match, decoded: null
		{`data: [DONE]`, false},
	} {
		assert.Equal(t, c.want, isUsageEvent([]byte(c.line+"\n")), c.line)
	}
}
