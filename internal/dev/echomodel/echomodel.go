// Package echomodel is a tiny OpenAI-compatible model server for
// development and tests: chat completions, completions and responses echo
// the input (streamed as server-sent events on request), embeddings are small
// deterministic vectors, and every response reports the identity headers
// the server received, so a test sees what a gateway forwarded.
//
//	GET  /v1/models, /v1/models/{model}
//	POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses
package echomodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EchoPrefix prefixes the response headers that report request headers:
// X-Auth-Subject: S in the request gives X-Echo-X-Auth-Subject: S.
const EchoPrefix = "X-Echo-"

// HeaderAuthorization reports whether the request had an Authorization
// header ("present" or "absent"); its value, a credential, is never echoed.
const HeaderAuthorization = EchoPrefix + "Authorization"

// maxBodyBytes bounds a request body.
const maxBodyBytes = 1 << 20

// Options configure the server; the zero value serves the model "echo".
type Options struct {
	// Models are the model IDs served; default ["echo"].
	Models []string
	// Dimensions of embeddings; default 8.
	Dimensions int
	// Now is the clock of `created` fields, for tests.
	Now func() time.Time
}

type server struct {
	opts Options
}

// New returns the server's handler.
func New(opts Options) http.Handler {
	if len(opts.Models) == 0 {
		opts.Models = []string{"echo"}
	}
	if opts.Dimensions <= 0 {
		opts.Dimensions = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", s.listModels)
	mux.HandleFunc("GET /v1/models/{model...}", s.getModel)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/completions", s.completions)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("POST /v1/responses", s.responses)
	return reportIdentity(mux)
}

// reportIdentity copies every X-Auth-* request header to an X-Echo-X-Auth-*
// response header, and says whether an Authorization header came through.
func reportIdentity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.Header {
			if strings.HasPrefix(name, "X-Auth-") {
				w.Header()[EchoPrefix+name] = values
			}
		}
		presence := "absent"
		if r.Header.Get("Authorization") != "" {
			presence = "present"
		}
		w.Header().Set(HeaderAuthorization, presence)
		next.ServeHTTP(w, r)
	})
}

type model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (s *server) model(id string) model {
	return model{ID: id, Object: "model", Created: s.opts.Now().Unix(), OwnedBy: "echomodel"}
}

func (s *server) listModels(w http.ResponseWriter, r *http.Request) {
	data := make([]model, len(s.opts.Models))
	for i, id := range s.opts.Models {
		data[i] = s.model(id)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

func (s *server) getModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("model")
	if !slices.Contains(s.opts.Models, id) {
		writeError(w, http.StatusNotFound, "model_not_found", fmt.Sprintf("The model %q does not exist.", id))
		return
	}
	writeJSON(w, http.StatusOK, s.model(id))
}

// decode reads a bounded JSON body and checks the model it names.
func (s *server) decode(w http.ResponseWriter, r *http.Request, into interface{ modelID() string }) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := json.NewDecoder(r.Body).Decode(into); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("The request body is over %d bytes.", maxBodyBytes))
			return false
		}
		writeError(w, http.StatusBadRequest, "", "The body is not valid JSON for this endpoint: "+err.Error())
		return false
	}
	switch id := into.modelID(); {
	case id == "":
		writeError(w, http.StatusBadRequest, "", "You must provide a model parameter.")
		return false
	case !slices.Contains(s.opts.Models, id):
		writeError(w, http.StatusNotFound, "model_not_found", fmt.Sprintf("The model %q does not exist.", id))
		return false
	}
	return true
}

// pieces splits text into the units the server counts as tokens: words
// with the spaces that follow them, so that joining them gives the text back.
var piece = regexp.MustCompile(`\S+\s*|\s+`)

func pieces(text string) []string { return piece.FindAllString(text, -1) }

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func newUsage(prompt, completion int) *usage {
	return &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError writes OpenAI's error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": c}})
}
