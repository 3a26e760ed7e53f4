package echomodel

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// responsesRequest is the part of a Responses API request the echo model
// reads: its input is a string, or a list of messages whose content is a
// string or a list of input_text parts.
type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Stream          bool            `json:"stream"`
	MaxOutputTokens *int            `json:"max_output_tokens"`
}

func (r *responsesRequest) modelID() string { return r.Model }

// inputText is the text the echo model answers, and the input's tokens:
// the input string, or the last user message's text.
func (r *responsesRequest) inputText() (string, int, error) {
	var s string
	if err := json.Unmarshal(r.Input, &s); err == nil {
		return s, len(pieces(s)), nil
	}
	var items []message
	if err := json.Unmarshal(r.Input, &items); err != nil {
		return "", 0, fmt.Errorf("input must be a string or a list of messages")
	}
	return lastUserText("input", items)
}

// responses echoes the input as a Responses API response: plain, or as
// its stream of events (response.created, a response.output_text.delta per
// piece, response.completed with the usage; no [DONE], as OpenAI's).
func (s *server) responses(w http.ResponseWriter, r *http.Request) {
	var req responsesRequest
	if !s.decode(w, r, &req) {
		return
	}
	reply, prompt, err := req.inputText()
	if err != nil {
		writeError(w, http.StatusBadRequest, "", err.Error())
		return
	}
	out, _ := truncate(pieces(reply), req.MaxOutputTokens)
	id, msgID := "resp_"+rand.Text(), "msg_"+rand.Text()
	response := func(status string, text string, usage any) map[string]any {
		content := []map[string]any{}
		if status == "completed" {
			content = append(content, map[string]any{"type": "output_text", "text": text, "annotations": []any{}})
		}
		return map[string]any{
			"id": id, "object": "response", "created_at": s.opts.Now().Unix(), "status": status, "model": req.Model,
			"output": []map[string]any{{"type": "message", "id": msgID, "status": status, "role": "assistant", "content": content}},
			"usage":  usage,
		}
	}
	text := strings.Join(out, "")
	usage := map[string]any{"input_tokens": prompt, "input_tokens_details": map[string]any{"cached_tokens": 0},
		"output_tokens": len(out), "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": prompt + len(out)}
	if !req.Stream {
		writeJSON(w, http.StatusOK, response("completed", text, usage))
		return
	}
	st := startStream(w)
	seq := 0
	event := func(typ string, fields map[string]any) {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		st.event(typ, fields)
	}
	event("response.created", map[string]any{"response": response("in_progress", "", nil)})
	for _, p := range out {
		event("response.output_text.delta", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "delta": p})
	}
	event("response.output_text.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "text": text})
	event("response.completed", map[string]any{"response": response("completed", text, usage)})
}
