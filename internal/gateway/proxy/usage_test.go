package proxy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsageOfJSONBodies(t *testing.T) {
	cases := []struct {
		name, body string
		tokens     int64
		found      bool
	}{
		{"chat completion", `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}`, 21, true},
		{"no total: prompt + completion", `{"usage": {"prompt_tokens": 9, "completion_tokens": 3}, "choices": []}`, 12, true},
		{"embeddings", `{"object":"list","data":[{"embedding":[0.1,-0.2,3e-5]}],"usage":{"prompt_tokens":8,"total_tokens":8}}`, 8, true},
		{"pretty-printed", "{\n  \"usage\" : {\n    \"total_tokens\" : 5\n  }\n}\n", 5, true},
		{"usage in a string is text", `{"choices":[{"text":"\"usage\":{\"total_tokens\":999}"}],"usage":{"total_tokens":7}}`, 7, true},
		{"escaped quotes stay in the string", `{"a":"\"}","usage":{"total_tokens":2}}`, 2, true},
		{"escaped backslash ends the string", `{"a":"x\\","usage":{"total_tokens":3}}`, 3, true},
		{"nested usage is not the response's", `{"meta":{"usage":{"total_tokens":5}}}`, 0, false},
		{"a longer key", `{"usage_extra":{"total_tokens":9},"usage":{"total_tokens":4}}`, 4, true},
		{"a value named usage", `{"kind":"usage","n":{"total_tokens":4}}`, 0, false},
		{"null", `{"usage":null}`, 0, false},
		{"not an object", `[{"usage":{"total_tokens":1}}]`, 0, false},
		{"negative counts", `{"usage":{"prompt_tokens":-50,"completion_tokens":2}}`, 2, true},
		{"too big to be a usage object", `{"usage":{"total_tokens":1,"pad":"` + strings.Repeat("x", maxUsageBytes) + `"}}`, 0, false},
		{"cut short", `{"usage":{"total_tokens":`, 0, false},
		// The Responses API: input and output tokens.
		{"response", `{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}],"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}}`, 123, true},
		{"response without a total", `{"object":"response","usage":{"input_tokens":36,"output_tokens":87}}`, 123, true},
		{"a response object is no body's usage (only a stream's event's)", `{"response":{"usage":{"total_tokens":5}},"usage":{"total_tokens":2}}`, 2, true},
		{"nor alone", `{"response":{"usage":{"total_tokens":5}}}`, 0, false},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 2, 5, 64, len(c.body)} {
			t.Run(fmt.Sprintf("%s/chunks of %d", c.name, chunk), func(t *testing.T) {
				s := newUsageScanner("application/json; charset=utf-8")
				require.NotNil(t, s)
				feedInChunks(s, c.body, chunk)
				tokens, found := s.Tokens()
				assert.Equal(t, c.found, found)
				assert.Equal(t, c.tokens, tokens)
				// The budgets and the ledger both ask: the body's usage is
				// parsed once, and asking again gives the same answer.
				again := testing.AllocsPerRun(10, func() {
					u, ok := s.Usage()
					assert.Equal(t, c.found, ok)
					assert.Equal(t, c.tokens, u.total())
				})
				assert.Zero(t, again, "allocations of Usage after Tokens")
			})
		}
	}
}

// responsesStream is a Responses API stream as OpenAI and vLLM send it
// (abridged): usage null until the response is complete.
const responsesStream = "event: response.created\ndata: " +
	`{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[],"usage":null}}` +
	"\n\nevent: response.output_text.delta\ndata: " +
	`{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"{\"usage\":1}"}` +
	"\n\nevent: response.completed\ndata: " +
	`{"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","object":"response","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}],` +
	`"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}}}` + "\n\n"

func TestUsageOfEventStreams(t *testing.T) {
	chunk := func(content string) string {
		return `{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"` + content + `"}}],"usage":null}`
	}
	final := `{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}`
	cases := []struct {
		name, stream string
		tokens       int64
		found        bool
	}{
		{"include_usage", "data: " + chunk("Hel") + "\n\ndata: " + chunk("lo") + "\n\ndata: " + final + "\n\ndata: [DONE]\n\n", 12, true},
		{"CRLF", "data: " + chunk("Hel") + "\r\n\r\ndata: " + final + "\r\n\r\ndata: [DONE]\r\n\r\n", 12, true},
		{"CR", "data: " + chunk("Hel") + "\r\rdata: " + final + "\r\r", 12, true},
		{"no space, other fields", ": keep-alive\nevent: message\nid: 7\ndata:" + final + "\nretry: 1000\n\ndata:[DONE]\n\n", 12, true},
		{"without usage", "data: " + chunk("Hel") + "\n\ndata: [DONE]\n\n", 0, false},
		{"cumulative usage: the last counts", `data: {"usage":{"total_tokens":3}}` + "\n\n" + `data: {"usage":{"total_tokens":5}}` + "\n\n", 5, true},
		{"ends without a blank line", "data: " + final, 12, true},
		{"a comment is not data", ": data: " + final + "\n\n", 0, false},
		{"a field named like data", "database: " + final + "\n\n", 0, false},
		{"usage null after usage keeps it", "data: " + final + "\n\ndata: " + chunk("x") + "\n\n", 12, true},
		{"one event over two data lines", "data: {\"usage\":\ndata: {\"total_tokens\": 6}}\n\n", 6, true},
		{"one event over two data lines, CRLF", "data: {\"usage\":\r\ndata: {\"total_tokens\": 6}}\r\n\r\n", 6, true},
		// The Responses API: each event names its type, and the last,
		// response.completed, carries the response with its usage.
		{"responses", responsesStream, 123, true},
		{"responses, usage deeper in the response is not it", "event: response.completed\ndata: " +
			`{"type":"response.completed","response":{"output":[{"usage":{"total_tokens":9}}],"metadata":{"usage":{"total_tokens":8}}}}` + "\n\n", 0, false},
		{"responses, a response that is not an object", `data: {"type":"x","response":"usage","usage":{"total_tokens":4}}` + "\n\n", 4, true},
		{"responses, after a null response", `data: {"response":null,"n":{"usage":{"total_tokens":1}}}` + "\n\n", 0, false},
	}
	for _, c := range cases {
		for _, size := range []int{1, 3, 7, 100, len(c.stream)} {
			t.Run(fmt.Sprintf("%s/chunks of %d", c.name, size), func(t *testing.T) {
				s := newUsageScanner("text/event-stream")
				require.NotNil(t, s)
				feedInChunks(s, c.stream, size)
				tokens, found := s.Tokens()
				assert.Equal(t, c.found, found)
				assert.Equal(t, c.tokens, tokens)
				// The budgets and the ledger both ask: the body's usage is
				// parsed once, and asking again gives the same answer.
				again := testing.AllocsPerRun(10, func() {
					u, ok := s.Usage()
					assert.Equal(t, c.found, ok)
					assert.Equal(t, c.tokens, u.total())
				})
				assert.Zero(t, again, "allocations of Usage after Tokens")
			})
		}
	}
}

func TestUsageIsOnlyReadFromJSONAndEventStreams(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "application/vnd.api+json": true,
		"text/event-stream": true, "text/event-stream; charset=utf-8": true,
		"Application/JSON": true, " text/event-stream ;charset=utf-8": true, "application/problem+JSON": true,
		"text/plain": false, "application/octet-stream": false, "": false, "application/jsonx": false,
		"+json": false, "application/json-seq": false, "text/event-stream-x": false,
	} {
		assert.Equal(t, want, newUsageScanner(ct) != nil, ct)
	}
}

func feedInChunks(s *usageScanner, text string, size int) {
	for len(text) > 0 {
		n := min(size, len(text))
		s.Write([]byte(text[:n]))
		text = text[n:]
	}
}

// BenchmarkUsageScan measures the cost per byte of reading the usage of a
// stream and of an embeddings response.
func BenchmarkUsageScan(b *testing.B) {
	b.Run("stream", benchmarkStreamUsage)
	b.Run("embeddings", func(b *testing.B) {
		var sb strings.Builder
		sb.WriteString(`{"object":"list","data":[`)
		for i := range 16 {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(`{"object":"embedding","index":0,"embedding":[`)
			for k := range 1536 {
				if k > 0 {
					sb.WriteString(",")
				}
				sb.WriteString("-0.0123456789")
			}
			sb.WriteString("]}")
		}
		sb.WriteString(`],"model":"e5","usage":{"prompt_tokens":64,"total_tokens":64}}`)
		body := []byte(sb.String())
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			s := newUsageScanner("application/json")
			s.Write(body)
			if n, _ := s.Tokens(); n != 64 {
				b.Fatal(n)
			}
		}
	})
}

func benchmarkStreamUsage(b *testing.B) {
	var sb strings.Builder
	for range 200 {
		sb.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"token"}}],"usage":null}` + "\n\n")
	}
	sb.WriteString(`data: {"choices":[],"usage":{"total_tokens":210}}` + "\n\ndata: [DONE]\n\n")
	stream := []byte(sb.String())
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		s := newUsageScanner("text/event-stream")
		s.Write(stream)
		if n, _ := s.Tokens(); n != 210 {
			b.Fatal(n)
		}
	}
}
