package proxy

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// Error shapes of a route's refusals (Route.Errors). Every refusal of the
// gateway goes through guard.WriteJSONError, whoever writes it (the token
// check, the login, the limits, the proxy): observed, the writer every
// request goes through, gives it the route's shape (guard.ErrorShaper).
const (
	// ErrorsOpenAI is OpenAI's {"error": {"message", "type", "param",
	// "code"}}: its SDKs show the message, and report any other body as
	// "(no body)". The default of routes under /v1/.
	ErrorsOpenAI = "openai"
	// ErrorsMessage is {"message": ...}, as Auth0's reference API answers.
	ErrorsMessage = "message"
)

// errorShape is the route's Errors, or its default: OpenAI's under /v1/.
func (r Route) errorShape() string {
	if r.Errors != "" {
		return r.Errors
	}
	_, path, _ := strings.Cut(r.Pattern, " ")
	if i := strings.IndexByte(path, '/'); i > 0 { // a pattern with a host
		path = path[i:]
	}
	return defaultShape(path)
}

func defaultShape(path string) string {
	if strings.HasPrefix(path, "/v1/") {
		return ErrorsOpenAI
	}
	return ErrorsMessage
}

// withErrorShape makes the request's refusals take shape from here on.
func withErrorShape(shape string, next http.Handler) http.Handler {
	openAI := shape == ErrorsOpenAI
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.openAIErrors = openAI
		}
		next.ServeHTTP(w, r)
	})
}

// ErrorBody gives guard.WriteJSONError the shape of the request's route.
func (o *observed) ErrorBody(status int, message string) any {
	if !o.info.openAIErrors {
		return nil
	}
	typ, code := openAIKind(status)
	if c := challengeError(o.Header().Get("WWW-Authenticate")); c != "" {
		code = c // RFC 6750's: invalid_token, insufficient_scope, invalid_request
	}
	return newOpenAIError(message, typ, code)
}

// openAIError is OpenAI's error body. param is always null: the gateway
// refuses requests, not their parameters.
type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

func newOpenAIError(message, typ, code string) *openAIError {
	e := &openAIError{}
	e.Error.Message, e.Error.Type, e.Error.Code = message, typ, code
	return e
}

// openAIKind is the type and code of an error with this status, as OpenAI
// names them (its SDKs pick an error class by status; type and code are
// for programs that tell refusals apart).
func openAIKind(status int) (typ, code string) {
	switch status {
	case http.StatusUnauthorized:
		return "authentication_error", "missing_token"
	case http.StatusForbidden:
		return "permission_error", "insufficient_scope"
	case http.StatusNotFound:
		return "invalid_request_error", "not_found"
	case http.StatusRequestTimeout:
		return "invalid_request_error", "request_timeout"
	case http.StatusRequestEntityTooLarge:
		return "invalid_request_error", "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error", "rate_limit_exceeded"
	case http.StatusBadGateway:
		return "server_error", "upstream_error"
	case http.StatusServiceUnavailable:
		return "server_error", "service_unavailable"
	}
	if status >= 500 {
		return "server_error", "internal_error"
	}
	return "invalid_request_error", "invalid_request"
}

// challengeError is the error="..." of a Bearer challenge, if any.
func challengeError(challenge string) string {
	_, rest, ok := strings.Cut(challenge, `error="`)
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, `"`)
	return code
}

// writeOpenAIError answers an OpenAI-shaped error with a code of its own
// (model_not_found): OpenAI's clients know such refusals by their code.
func writeOpenAIError(w http.ResponseWriter, status int, typ, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(newOpenAIError(message, typ, code))
}

// refuse answers a refusal of the gateway's own, in the route's shape,
// with the code given when the shape is OpenAI's.
func refuse(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	guard.CloseUnreadBody(w, r)
	if info := infoFrom(r.Context()); info != nil && info.openAIErrors {
		typ, _ := openAIKind(status)
		writeOpenAIError(w, status, typ, code, message)
		return
	}
	guard.WriteJSONError(w, status, message)
}
