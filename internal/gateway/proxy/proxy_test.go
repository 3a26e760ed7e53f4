package proxy

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A stream is copied with the small buffer, held for as long as it is
// open; every other answer with the large one, which moves big bodies in
// fewer reads and writes.
func TestCopyBufferFitsTheAnswer(t *testing.T) {
	for _, c := range []struct {
		contentType string
		want        int
	}{
		{"text/event-stream", streamBufferSize},
		{"text/event-stream; charset=utf-8", streamBufferSize},
		{"Text/Event-Stream", streamBufferSize},
		{"application/x-ndjson", streamBufferSize},
		{"application/json", answerBufferSize},
		{"application/octet-stream", answerBufferSize},
		{"text/plain", answerBufferSize},
		{"", answerBufferSize},
		{"text/event-streamx", answerBufferSize},
	} {
		t.Run(c.contentType, func(t *testing.T) {
			w := httptest.NewRecorder()
			if c.contentType != "" {
				w.Header().Set("Content-Type", c.contentType)
			}
			call := &proxyCall{w: w}
			for range 3 { // from a new buffer, then from the pool
				buf := call.Get()
				assert.Len(t, buf, c.want)
				call.Put(buf)
			}
		})
	}
}
