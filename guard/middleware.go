package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

type identityKey struct{}

// IdentityFrom returns the identity the middleware put in a request's context.
func IdentityFrom(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok
}

// Require returns middleware that lets a request through only with a valid
// token meeting req, and gives the handler its Identity (IdentityFrom).
func (v *Validator) Require(req Requirement) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := v.Authorize(r, req)
			if err != nil {
				v.deny(w, r, req, id, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
		})
	}
}

// Authorize validates the request's bearer token and checks req. The
// identity is returned with ErrInsufficientScope and ErrOrganization too.
func (v *Validator) Authorize(r *http.Request, req Requirement) (*Identity, error) {
	token, err := v.TokenFromHeader(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	id, err := v.Validate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	return id, req.Check(id)
}

// deny answers with the status RFC 6750 gives the error, a WWW-Authenticate
// challenge and a JSON body. Only the subject, client and organization of a
// token are logged, never the token.
func (v *Validator) deny(w http.ResponseWriter, r *http.Request, req Requirement, id *Identity, err error) {
	status, code, message := http.StatusUnauthorized, "", "a bearer token is required"
	switch {
	case errors.Is(err, ErrNoToken):
	case errors.Is(err, ErrMalformedRequest):
		status, code, message = http.StatusBadRequest, "invalid_request", err.Error()
	case errors.Is(err, ErrKeysUnavailable):
		status, message = http.StatusServiceUnavailable, "the signing keys of the tenant cannot be fetched right now; retry later"
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(v.cfg.UnknownKIDWindow.Seconds()))))
	case errors.Is(err, ErrInsufficientScope), errors.Is(err, ErrOrganization):
		status, code, message = http.StatusForbidden, "insufficient_scope", err.Error()
	default:
		code, message = "invalid_token", "invalid token: "+reason(err)
	}
	if status != http.StatusServiceUnavailable {
		challenge := fmt.Sprintf("Bearer realm=%q", v.cfg.Audience)
		if code != "" {
			challenge += fmt.Sprintf(", error=%q, error_description=%q", code, strings.ReplaceAll(message, `"`, "'"))
		}
		if code == "insufficient_scope" && req.scopeParam() != "" {
			challenge += fmt.Sprintf(", scope=%q", req.scopeParam())
		}
		if v.cfg.ResourceMetadataURL != "" {
			challenge += fmt.Sprintf(", resource_metadata=%q", v.cfg.ResourceMetadataURL)
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	attrs := []any{"status", status, "method", r.Method, "path", r.URL.Path, "reason", message}
	if id != nil {
		attrs = append(attrs, "sub", id.Subject, "client_id", id.ClientID, "org_id", id.OrgID)
	}
	v.cfg.Logger.InfoContext(r.Context(), "request denied", attrs...)
	v.observeDenied(r, status, message)
	WriteJSONError(w, status, message)
}

// reason names why a token is invalid, without echoing any of it.
func reason(err error) string {
	for _, c := range []struct {
		err  error
		text string
	}{
		{jwt.ErrTokenMalformed, "malformed"},
		{jwt.ErrTokenSignatureInvalid, "bad signature"},
		{jwt.ErrTokenExpired, "expired"},
		{jwt.ErrTokenNotValidYet, "not valid yet"},
		{jwt.ErrTokenUsedBeforeIssued, "issued in the future"},
		{jwt.ErrTokenInvalidIssuer, "wrong issuer"},
		{jwt.ErrTokenInvalidAudience, "wrong audience"},
		{jwt.ErrTokenRequiredClaimMissing, "a required claim is missing"},
		{jwt.ErrTokenUnverifiable, "unverifiable (unknown key or algorithm)"},
	} {
		if errors.Is(err, c.err) {
			return c.text
		}
	}
	return "rejected"
}

// WriteJSONError writes {"message": message} with the status.
func WriteJSONError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Message string `json:"message"`
	}{message})
}
