package echomodel_test

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
)

func start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(echomodel.New(echomodel.Options{Models: []string{"echo", "echo-large"},
		Now: func() time.Time { return time.Unix(1700000000, 0) }}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func TestModels(t *testing.T) {
	srv := start(t)
	_, body := do(t, srv, "GET", "/v1/models", "")
	assert.JSONEq(t, `{"object":"list","data":[
		{"id":"echo","object":"model","created":1700000000,"owned_by":"echomodel"},
		{"id":"echo-large","object":"model","created":1700000000,"owned_by":"echomodel"}]}`, string(body))
	resp, body := do(t, srv, "GET", "/v1/models/echo-large", "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), `"id":"echo-large"`)
	resp, body = do(t, srv, "GET", "/v1/models/gpt-4", "")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, string(body), `"code":"model_not_found"`)
}

type completion struct {
	Object  string
	Model   string
	Choices []struct {
		Message      struct{ Role, Content string }
		Delta        struct{ Role, Content string }
		Text         string
		FinishReason *string `json:"finish_reason"`
	}
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	}
}

func TestChatCompletions(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name, body       string
		status           int
		reply, finish    string
		prompt, complete int
		errText          string
	}{
		{name: "echoes the last user message", status: 200, prompt: 6, complete: 2, reply: "second one", finish: "stop",
			body: `{"model":"echo","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"first"},
				{"role":"assistant","content":"ok"},{"role":"user","content":"second one"}]}`},
		{name: "content parts", status: 200, prompt: 2, complete: 2, reply: "hello world", finish: "stop",
			body: `{"model":"echo","messages":[{"role":"user","content":[{"type":"text","text":"hello "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"world"}]}]}`},
		{name: "max_tokens cuts", status: 200, prompt: 4, complete: 2, reply: "one two ", finish: "length",
			body: `{"model":"echo","max_tokens":2,"messages":[{"role":"user","content":"one two three four"}]}`},
		{name: "no user message", status: 400, errText: "role user",
			body: `{"model":"echo","messages":[{"role":"system","content":"x"}]}`},
		{name: "no model", status: 400, errText: "model parameter", body: `{"messages":[{"role":"user","content":"x"}]}`},
		{name: "unknown model", status: 404, errText: "does not exist", body: `{"model":"gpt-4","messages":[{"role":"user","content":"x"}]}`},
		{name: "not JSON", status: 400, errText: "not valid JSON", body: `{"model":`},
		{name: "content of the wrong kind", status: 400, errText: "messages[0]", body: `{"model":"echo","messages":[{"role":"user","content":42}]}`},
		{name: "an oversized body", status: 413, errText: "over", body: `{"model":"echo","messages":[{"role":"user","content":"` + strings.Repeat("x", 1<<20) + `"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, "POST", "/v1/chat/completions", tt.body)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status != 200 {
				var e struct {
					Error struct{ Message, Type string }
				}
				require.NoError(t, json.Unmarshal(body, &e))
				assert.Contains(t, e.Error.Message, tt.errText)
				assert.Equal(t, "invalid_request_error", e.Error.Type)
				return
			}
			var c completion
			require.NoError(t, json.Unmarshal(body, &c))
			assert.Equal(t, "chat.completion", c.Object)
			assert.Equal(t, "assistant", c.Choices[0].Message.Role)
			assert.Equal(t, tt.reply, c.Choices[0].Message.Content)
			assert.Equal(t, tt.finish, *c.Choices[0].FinishReason)
			require.NotNil(t, c.Usage)
			assert.Equal(t, tt.prompt, c.Usage.PromptTokens)
			assert.Equal(t, tt.complete, c.Usage.CompletionTokens)
			assert.Equal(t, tt.prompt+tt.complete, c.Usage.TotalTokens)
		})
	}
}

// events reads a server-sent event stream up to [DONE].
func events(t *testing.T, body []byte) []completion {
	t.Helper()
	var out []completion
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	done := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		require.True(t, ok, "a line that is not data: %q", line)
		require.False(t, done, "data after [DONE]")
		if data == "[DONE]" {
			done = true
			continue
		}
		var c completion
		require.NoError(t, json.Unmarshal([]byte(data), &c))
		out = append(out, c)
	}
	require.True(t, done, "the stream ends with [DONE]")
	return out
}

func TestChatStreaming(t *testing.T) {
	srv := start(t)
	for _, includeUsage := range []bool{false, true} {
		name := map[bool]string{false: "without usage", true: "with usage"}[includeUsage]
		t.Run(name, func(t *testing.T) {
			body := `{"model":"echo","stream":true,"messages":[{"role":"user","content":"stream these four words"}]`
			if includeUsage {
				body += `,"stream_options":{"include_usage":true}`
			}
			resp, raw := do(t, srv, "POST", "/v1/chat/completions", body+"}")
			require.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			chunks := events(t, raw)
			var text strings.Builder
			finishes := 0
			for _, c := range chunks {
				assert.Equal(t, "chat.completion.chunk", c.Object)
				for _, ch := range c.Choices {
					text.WriteString(ch.Delta.Content)
					if ch.FinishReason != nil {
						finishes++
						assert.Equal(t, "stop", *ch.FinishReason)
					}
				}
			}
			assert.Equal(t, "assistant", chunks[0].Choices[0].Delta.Role)
			assert.Equal(t, "stream these four words", text.String())
			assert.Equal(t, 1, finishes)
			last := chunks[len(chunks)-1]
			if includeUsage {
				assert.Empty(t, last.Choices)
				require.NotNil(t, last.Usage)
				assert.Equal(t, 4, last.Usage.PromptTokens)
				assert.Equal(t, 4, last.Usage.CompletionTokens)
			} else {
				assert.Nil(t, last.Usage)
			}
		})
	}
}

func TestCompletions(t *testing.T) {
	srv := start(t)
	resp, body := do(t, srv, "POST", "/v1/completions", `{"model":"echo","prompt":"say this back"}`)
	require.Equal(t, 200, resp.StatusCode, string(body))
	var c completion
	require.NoError(t, json.Unmarshal(body, &c))
	assert.Equal(t, "text_completion", c.Object)
	assert.Equal(t, "say this back", c.Choices[0].Text)
	assert.Equal(t, 3, c.Usage.CompletionTokens)

	resp, raw := do(t, srv, "POST", "/v1/completions", `{"model":"echo","prompt":["a b c"],"stream":true,"max_tokens":2,"stream_options":{"include_usage":true}}`)
	require.Equal(t, 200, resp.StatusCode)
	var text strings.Builder
	chunks := events(t, raw)
	for _, c := range chunks {
		for _, ch := range c.Choices {
			text.WriteString(ch.Text)
		}
	}
	assert.Equal(t, "a b ", text.String())
	assert.Equal(t, 2, chunks[len(chunks)-1].Usage.CompletionTokens)

	resp, _ = do(t, srv, "POST", "/v1/completions", `{"model":"echo","prompt":[]}`)
	assert.Equal(t, 400, resp.StatusCode)
}

func TestEmbeddings(t *testing.T) {
	srv := start(t)
	type embedding struct {
		Data []struct {
			Index     int
			Embedding json.RawMessage
		}
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	get := func(body string) embedding {
		resp, raw := do(t, srv, "POST", "/v1/embeddings", body)
		require.Equal(t, 200, resp.StatusCode, string(raw))
		var e embedding
		require.NoError(t, json.Unmarshal(raw, &e))
		return e
	}
	floats := func(raw json.RawMessage) []float32 {
		var v []float32
		require.NoError(t, json.Unmarshal(raw, &v))
		return v
	}
	e := get(`{"model":"echo","input":["hello world","other"]}`)
	require.Len(t, e.Data, 2)
	a, b := floats(e.Data[0].Embedding), floats(e.Data[1].Embedding)
	assert.Len(t, a, 8)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, floats(get(`{"model":"echo","input":"hello world"}`).Data[0].Embedding), "deterministic")
	assert.Equal(t, echomodel.Vector("hello world", 8), a)
	var norm float64
	for _, x := range a {
		norm += float64(x) * float64(x)
	}
	assert.InDelta(t, 1, norm, 1e-5, "unit length")
	assert.Equal(t, 3, e.Usage.PromptTokens)

	assert.Len(t, floats(get(`{"model":"echo","input":"x","dimensions":40}`).Data[0].Embedding), 40)

	var encoded string
	require.NoError(t, json.Unmarshal(get(`{"model":"echo","input":"hello world","encoding_format":"base64"}`).Data[0].Embedding, &encoded))
	raw, err := base64.StdEncoding.DecodeString(encoded)
	require.NoError(t, err)
	require.Len(t, raw, 32)
	for i, want := range a {
		assert.Equal(t, want, math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
	}

	for _, bad := range []string{`{"model":"echo","input":[]}`, `{"model":"echo","input":"x","dimensions":0}`,
		`{"model":"echo","input":"x","dimensions":100000}`, `{"model":"echo","input":"x","encoding_format":"int8"}`, `{"model":"echo","input":[[1,2]]}`} {
		resp, _ := do(t, srv, "POST", "/v1/embeddings", bad)
		assert.Equal(t, 400, resp.StatusCode, bad)
	}
}

// The server reports the identity headers it got, and whether an
// Authorization header came through, never its value.
func TestReportsIdentityHeaders(t *testing.T) {
	srv := start(t)
	for _, path := range []string{"/v1/models", "/v1/chat/completions"} {
		method, body := "GET", ""
		if path != "/v1/models" {
			method, body = "POST", `{"model":"echo","stream":true,"messages":[{"role":"user","content":"hi"}]}`
		}
		resp, _ := do(t, srv, method, path, body, "X-Auth-Subject", "auth0|abc", "X-Auth-Client-Id", "client-1",
			"X-Auth-Org-Id", "org_1", "Authorization", "Bearer secret-token")
		assert.Equal(t, "auth0|abc", resp.Header.Get("X-Echo-X-Auth-Subject"), path)
		assert.Equal(t, "client-1", resp.Header.Get("X-Echo-X-Auth-Client-Id"), path)
		assert.Equal(t, "org_1", resp.Header.Get("X-Echo-X-Auth-Org-Id"), path)
		assert.Equal(t, "present", resp.Header.Get(echomodel.HeaderAuthorization), path)
		for _, v := range resp.Header {
			assert.NotContains(t, strings.Join(v, " "), "secret-token")
		}
	}
	resp, _ := do(t, srv, "GET", "/v1/models", "")
	assert.Equal(t, "absent", resp.Header.Get(echomodel.HeaderAuthorization))
	assert.Empty(t, resp.Header.Get("X-Echo-X-Auth-Subject"))
}

// The Responses API: the output text echoes the last user input, and the
// usage counts input and output tokens; streamed, named events end with
// response.completed, which carries the usage (and no [DONE]).
func TestResponses(t *testing.T) {
	srv := start(t)
	type response struct {
		Object string
		Status string
		Output []struct {
			Type    string
			Content []struct{ Type, Text string }
		}
		Usage *struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
			TotalTokens  int `json:"total_tokens"`
		}
	}
	for _, input := range []string{`"echo these words"`, `[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"input_text","text":"echo these words"}]}]`} {
		resp, raw := do(t, srv, "POST", "/v1/responses", `{"model":"echo","input":`+input+`}`)
		require.Equal(t, 200, resp.StatusCode, "%s", raw)
		var r response
		require.NoError(t, json.Unmarshal(raw, &r))
		assert.Equal(t, "response", r.Object)
		assert.Equal(t, "completed", r.Status)
		require.Len(t, r.Output, 1)
		assert.Equal(t, "echo these words", r.Output[0].Content[0].Text)
		require.NotNil(t, r.Usage)
		assert.Equal(t, 3, r.Usage.OutputTokens)
		assert.Equal(t, r.Usage.InputTokens+3, r.Usage.TotalTokens)
	}

	resp, raw := do(t, srv, "POST", "/v1/responses", `{"model":"echo","stream":true,"input":"stream these four words"}`)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.NotContains(t, string(raw), "[DONE]")
	var names []string
	var text strings.Builder
	var last struct {
		Type     string
		Response response
	}
	for _, block := range strings.Split(strings.TrimSpace(string(raw)), "\n\n") {
		name, data, ok := strings.Cut(block, "\ndata: ")
		require.True(t, ok, block)
		names = append(names, strings.TrimPrefix(name, "event: "))
		var ev struct{ Type, Delta string }
		require.NoError(t, json.Unmarshal([]byte(data), &ev))
		assert.Equal(t, names[len(names)-1], ev.Type, "the event's name is its type")
		text.WriteString(ev.Delta)
		require.NoError(t, json.Unmarshal([]byte(data), &last))
	}
	assert.Equal(t, "response.created", names[0])
	assert.Equal(t, "response.completed", names[len(names)-1])
	assert.Equal(t, "stream these four words", text.String())
	require.NotNil(t, last.Response.Usage)
	assert.Equal(t, 4, last.Response.Usage.InputTokens)
	assert.Equal(t, 4, last.Response.Usage.OutputTokens)

	resp, _ = do(t, srv, "POST", "/v1/responses", `{"model":"echo","input":[{"role":"system","content":"no user"}]}`)
	assert.Equal(t, 400, resp.StatusCode)
}
