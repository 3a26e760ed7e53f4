package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// openAIUpstream answers as an OpenAI-compatible model server: usage (a
// JSON object) in each response, where a stream reports it in a last event
// only when asked (stream_options.include_usage), and a body holding
// "unmetered" gets none. It hands each body it got to the test, and sends
// an X-Request-Id of its own, which the gateway must replace.
func openAIUpstream(t *testing.T, usage string) (*url.URL, chan string) {
	got := make(chan string, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		w.Header().Set("X-Request-Id", "the-upstream's-own")
		var req struct {
			Stream        bool `json:"stream"`
			StreamOptions struct {
				IncludeUsage bool `json:"include_usage"`
			} `json:"stream_options"`
		}
		_ = json.Unmarshal(b, &req)
		usage := usage
		if strings.Contains(string(b), "unmetered") {
			usage = "null"
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"choices":[{"message":{"content":"Hi"}}],"usage":`+usage+`}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n")
		w.(http.Flusher).Flush()
		if req.StreamOptions.IncludeUsage && usage != "null" {
			io.WriteString(w, "data: {\"choices\":[],\"usage\":"+usage+"}\n\n")
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u, got
}
