package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Every stream is metered: a streamed completion reports its usage only
// when asked (stream_options.include_usage), so the gateway asks in the
// client's stead, and keeps the usage event from a client that did not ask
// (usagestrip.go). A client cannot turn metering off: include_usage false,
// stream_options null or of another kind are all rewritten, and a key
// given twice ("stream", "stream_options") is refused, as "model" is,
// since parsers disagree on which one counts, and so is a "stream" that is
// not a JSON boolean.

var (
	errStreamTwice   = errors.New(`the request body names "stream" or "stream_options" more than once: JSON parsers disagree on which one counts, so the gateway refuses to guess`)
	errStreamOptions = errors.New(`the request body's "stream_options" is not an object: give {"include_usage": true}, or leave it out`)
	// Model servers built on pydantic take 1 or "true" for true: such a
	// stream would go unmetered, so only the JSON booleans are taken.
	errStreamNotBool = errors.New(`the request body's "stream" is not true or false`)
	// Python's json.loads, behind FastAPI and so vLLM, reads a body with a
	// byte order mark, or in UTF-16 or UTF-32, which the walk below does
	// not: a completion in such a body would stream unmetered.
	errNotObject = errors.New(`the request body of a completion is not a JSON object in UTF-8: send {"model": ..., "messages": [...]}, without a byte order mark`)
)

// meterStreams makes the streams sent to the default upstream, when no
// models are routed (modelroute.go does it for those), report their usage:
// the body of a completion is read, within maxBody (limitBody), and
// rewritten; any other request goes on untouched, its body unread.
func meterStreams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info == nil || !takesStreamOptions(r) || !hasBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		body, err := readBody(r)
		if err != nil {
			bodyError(w, r, err)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.TransferEncoding = nil
		if i := skipBlank(body, 0); i < len(body) && body[i] == '{' && !json.Valid(body) {
			refusedBecause(r, "stream: "+errBodyNotJSON.Error())
			refuse(w, r, http.StatusBadRequest, "invalid_request", errBodyNotJSON.Error())
			return
		}
		if includeUsage(w, r, body, info) {
			next.ServeHTTP(w, r)
		}
	})
}

// takesStreamOptions reports whether r is a completion, which may stream:
// chat/completions and completions take stream_options; an inference is
// never a GET or HEAD.
func takesStreamOptions(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/completions") && mayCarryUsage(r.Method)
}

// includeUsage rewrites the body of a streamed completion to ask for its
// usage. body is the one read of the request (modelroute.go,
// meterStreams), valid JSON if it starts with {; the request goes on with
// the new bytes and their length. It answers 400 and returns false for a
// body it refuses.
func includeUsage(w http.ResponseWriter, r *http.Request, body []byte, info *requestInfo) bool {
	if !takesStreamOptions(r) {
		return true
	}
	out, strip, err := askUsage(body)
	if err != nil {
		refusedBecause(r, "stream: "+err.Error())
		refuse(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return false
	}
	if out != nil {
		// The rewrite adds at most 40 bytes or so to a body maxBody admitted.
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
		info.stripUsage = strip
	}
	return true
}

// askUsage returns body asking for usage when it asks for a stream (nil
// otherwise), and whether the client had not asked for the usage itself.
func askUsage(body []byte) (out []byte, strip bool, err error) {
	open := skipBlank(body, 0)
	if open == len(body) {
		return nil, false, nil // nothing the model server can read as a request
	}
	if body[open] != '{' {
		return nil, false, errNotObject
	}
	var stream []byte
	optStart, optEnd := -1, -1
	for i := skipBlank(body, open+1); body[i] != '}'; {
		keyEnd := stringEnd(body, i)
		key := body[i:keyEnd]
		i = skipBlank(body, skipBlank(body, keyEnd)+1) // past the colon
		end := valueEnd(body, i)
		switch {
		case keyIs(key, "stream"):
			if stream != nil {
				return nil, false, errStreamTwice
			}
			stream = body[i:end]
		case keyIs(key, "stream_options"):
			if optStart >= 0 {
				return nil, false, errStreamTwice
			}
			optStart, optEnd = i, end
		}
		if i = skipBlank(body, end); body[i] == ',' {
			i = skipBlank(body, i+1)
		}
	}
	switch string(stream) {
	case "true":
	case "", "false", "null":
		return nil, false, nil
	default:
		return nil, false, errStreamNotBool
	}
	opts := map[string]json.RawMessage{}
	if optStart >= 0 {
		v := body[optStart:optEnd]
		switch {
		case v[0] == '{':
			// Within the object, the last of a key given twice counts, as
			// it does for the model server, which gets one of each.
			if err := json.Unmarshal(v, &opts); err != nil {
				return nil, false, errStreamOptions
			}
		case string(v) != "null":
			return nil, false, errStreamOptions
		}
	}
	asked := string(bytes.TrimSpace(opts["include_usage"])) == "true"
	opts["include_usage"] = json.RawMessage("true")
	newOpts, err := json.Marshal(opts)
	if err != nil {
		return nil, false, errStreamOptions
	}
	if optStart >= 0 {
		out = append(append(append(make([]byte, 0, len(body)+len(newOpts)), body[:optStart]...), newOpts...), body[optEnd:]...)
	} else {
		out = append(make([]byte, 0, len(body)+len(newOpts)+20), body[:open+1]...)
		out = append(append(append(out, `"stream_options":`...), newOpts...), ',')
		out = append(out, body[open+1:]...)
	}
	return out, !asked, nil
}

// keyIs reports whether a quoted key decodes to name, in any spelling
// ("str\u0065am").
func keyIs(quoted []byte, name string) bool {
	if len(quoted) == len(name)+2 && string(quoted[1:len(quoted)-1]) == name {
		return true
	}
	if bytes.IndexByte(quoted, '\\') < 0 {
		return false
	}
	var key string
	return json.Unmarshal(quoted, &key) == nil && key == name
}
