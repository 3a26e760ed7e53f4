package echomodel

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatRequest struct {
	Model               string         `json:"model"`
	Messages            []message      `json:"messages"`
	Stream              bool           `json:"stream"`
	StreamOptions       *streamOptions `json:"stream_options"`
	MaxTokens           *int           `json:"max_tokens"`
	MaxCompletionTokens *int           `json:"max_completion_tokens"`
}

func (c *chatRequest) modelID() string { return c.Model }

type message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// text is a message's content: a string, or the text parts of a list
// (Chat Completions' "text", the Responses API's "input_text").
func (m message) text() (string, error) {
	if len(m.Content) == 0 || string(m.Content) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return "", fmt.Errorf("content must be a string or a list of parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" || p.Type == "input_text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// lastUserText is the text of the last user message of msgs (the request's
// field), which the echo model answers, and the tokens of all of them.
func lastUserText(field string, msgs []message) (reply string, prompt int, err error) {
	found := false
	for i, m := range msgs {
		text, err := m.text()
		if err != nil {
			return "", 0, fmt.Errorf("%s[%d]: %v", field, i, err)
		}
		prompt += len(pieces(text))
		if m.Role == "user" {
			reply, found = text, true
		}
	}
	if !found {
		return "", 0, fmt.Errorf("%s must contain a message with the role user: it is what the echo model answers", field)
	}
	return reply, prompt, nil
}

// chat echoes the last user message.
func (s *server) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if !s.decode(w, r, &req) {
		return
	}
	reply, prompt, err := lastUserText("messages", req.Messages)
	if err != nil {
		writeError(w, http.StatusBadRequest, "", err.Error())
		return
	}
	limit := req.MaxCompletionTokens
	if limit == nil {
		limit = req.MaxTokens
	}
	out, finish := truncate(pieces(reply), limit)
	id, created := "chatcmpl-"+rand.Text(), s.opts.Now().Unix()
	base := map[string]any{"id": id, "created": created, "model": req.Model}
	if !req.Stream {
		writeJSON(w, http.StatusOK, with(base, map[string]any{
			"object": "chat.completion",
			"choices": []map[string]any{{"index": 0, "finish_reason": finish,
				"message": map[string]any{"role": "assistant", "content": strings.Join(out, "")}}},
			"usage": newUsage(prompt, len(out)),
		}))
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	st := startStream(w)
	chunk := func(delta map[string]any, finish any) map[string]any {
		c := with(base, map[string]any{"object": "chat.completion.chunk",
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}}})
		if includeUsage {
			c["usage"] = nil // as OpenAI: every chunk but the last has usage null
		}
		return c
	}
	st.send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, p := range out {
		st.send(chunk(map[string]any{"content": p}, nil))
	}
	st.send(chunk(map[string]any{}, finish))
	if includeUsage {
		st.send(with(base, map[string]any{"object": "chat.completion.chunk", "choices": []any{}, "usage": newUsage(prompt, len(out))}))
	}
	st.done()
}

type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	Stream        bool            `json:"stream"`
	StreamOptions *streamOptions  `json:"stream_options"`
	MaxTokens     *int            `json:"max_tokens"`
}

func (c *completionRequest) modelID() string { return c.Model }

// completions echoes the prompt (the first, if a list).
func (s *server) completions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if !s.decode(w, r, &req) {
		return
	}
	prompts, err := stringOrList(req.Prompt)
	if err != nil || len(prompts) == 0 {
		writeError(w, http.StatusBadRequest, "", "prompt must be a string or a non-empty list of strings")
		return
	}
	in := pieces(prompts[0])
	out, finish := truncate(in, req.MaxTokens)
	id, created := "cmpl-"+rand.Text(), s.opts.Now().Unix()
	base := map[string]any{"id": id, "object": "text_completion", "created": created, "model": req.Model}
	if !req.Stream {
		writeJSON(w, http.StatusOK, with(base, map[string]any{
			"choices": []map[string]any{{"index": 0, "text": strings.Join(out, ""), "logprobs": nil, "finish_reason": finish}},
			"usage":   newUsage(len(in), len(out)),
		}))
		return
	}
	st := startStream(w)
	for _, p := range out {
		st.send(with(base, map[string]any{"choices": []map[string]any{{"index": 0, "text": p, "logprobs": nil, "finish_reason": nil}}}))
	}
	st.send(with(base, map[string]any{"choices": []map[string]any{{"index": 0, "text": "", "logprobs": nil, "finish_reason": finish}}}))
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		st.send(with(base, map[string]any{"choices": []any{}, "usage": newUsage(len(in), len(out))}))
	}
	st.done()
}

// truncate keeps at most limit pieces; finish_reason says whether it cut.
func truncate(p []string, limit *int) ([]string, string) {
	if limit != nil && *limit >= 0 && *limit < len(p) {
		return p[:*limit], "length"
	}
	return p, "stop"
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []string{s}, nil
	}
	var list []string
	err := json.Unmarshal(raw, &list)
	return list, err
}

func with(base, more map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(more))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// stream writes server-sent events, flushing each one.
type stream struct {
	w       http.ResponseWriter
	flusher http.Flusher
}

func startStream(w http.ResponseWriter) *stream {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &stream{w: w, flusher: f}
}

func (s *stream) send(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(s.w, "data: %s\n\n", b)
	if s.flusher != nil {
		s.flusher.Flush()
	}
}

// event writes a named event (the Responses API's).
func (s *stream) event(name string, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, b)
	if s.flusher != nil {
		s.flusher.Flush()
	}
}

func (s *stream) done() {
	fmt.Fprint(s.w, "data: [DONE]\n\n")
	if s.flusher != nil {
		s.flusher.Flush()
	}
}
