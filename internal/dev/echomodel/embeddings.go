package echomodel

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
)

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
}

func (e *embeddingRequest) modelID() string { return e.Model }

// maxDimensions bounds the dimensions a request may ask for.
const maxDimensions = 4096

// embeddings returns, for each input, a unit vector derived from its
// SHA-256: the same text always gives the same vector.
func (s *server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req embeddingRequest
	if !s.decode(w, r, &req) {
		return
	}
	inputs, err := stringOrList(req.Input)
	if err != nil || len(inputs) == 0 {
		writeError(w, http.StatusBadRequest, "", "input must be a string or a non-empty list of strings")
		return
	}
	dims := s.opts.Dimensions
	if req.Dimensions != nil {
		if *req.Dimensions < 1 || *req.Dimensions > maxDimensions {
			writeError(w, http.StatusBadRequest, "", fmt.Sprintf("dimensions must be 1 to %d", maxDimensions))
			return
		}
		dims = *req.Dimensions
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		writeError(w, http.StatusBadRequest, "", fmt.Sprintf("encoding_format %q: want float or base64", req.EncodingFormat))
		return
	}
	data := make([]map[string]any, len(inputs))
	tokens := 0
	for i, in := range inputs {
		tokens += len(pieces(in))
		v := Vector(in, dims)
		var e any = v
		if req.EncodingFormat == "base64" {
			b := make([]byte, 4*len(v))
			for j, x := range v {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(x))
			}
			e = base64.StdEncoding.EncodeToString(b)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": e}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}})
}

// Vector is the embedding of text: dims values from SHA-256 of the text
// and a counter, scaled to [-1, 1], normalized to length 1.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	for i := range v {
		var counter [4]byte
		binary.BigEndian.PutUint32(counter[:], uint32(i/16))
		sum := sha256.Sum256(append(counter[:], text...))
		x := float64(binary.BigEndian.Uint16(sum[2*(i%16):]))/math.MaxUint16*2 - 1
		v[i] = float32(x)
		norm += x * x
	}
	if norm > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / math.Sqrt(norm))
		}
	}
	return v
}
