package guard

import "net/http"

// ErrorShaper chooses the JSON body of the errors WriteJSONError writes.
// A server implements it on its ResponseWriter (or on a writer that a
// wrapper's Unwrap method leads to, as http.ResponseController follows
// them) to have every middleware's refusals in the shape its clients read:
// OpenAI's SDKs, for one, show only {"error": {"message": ...}}, and report
// {"message": ...} as "(no body)".
type ErrorShaper interface {
	// ErrorBody is the value encoded as the body of an error with this
	// status and message; nil keeps {"message": message}. The status and
	// headers (WWW-Authenticate, Retry-After) are set by then.
	ErrorBody(status int, message string) any
}

// errorBody is the body WriteJSONError writes to w: its ErrorShaper's, or
// {"message": message}.
func errorBody(w http.ResponseWriter, status int, message string) any {
	for w != nil {
		if s, ok := w.(ErrorShaper); ok {
			if body := s.ErrorBody(status, message); body != nil {
				return body
			}
			break
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	return struct {
		Message string `json:"message"`
	}{message}
}
