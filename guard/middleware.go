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
	"time"

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
			v.offerNonce(w, r)
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
//
// The token is read from the one Authorization header only. Two such
// headers are refused (two hops could each pick a different one), and so
// is an access_token query parameter (RFC 6750 2.3): URLs end up in logs
// and would carry the token on to the upstream. A form body is never read.
func (v *Validator) Authorize(r *http.Request, req Requirement) (*Identity, error) {
	values := r.Header.Values("Authorization")
	if len(values) > 1 {
		return nil, fmt.Errorf("%w: %d Authorization headers, want one", ErrMalformedRequest, len(values))
	}
	if r.URL.RawQuery != "" && hasQueryToken(r.URL.Query()) {
		return nil, fmt.Errorf("%w: access_token in the URL is not accepted; send `Authorization: Bearer <token>`", ErrMalformedRequest)
	}
	var header string
	if len(values) == 1 {
		header = values[0]
	}
	id, err := v.authenticate(r, req, header)
	if err != nil {
		return nil, err
	}
	return id, req.Check(id)
}

// deny answers with the status RFC 6750 gives the error, a WWW-Authenticate
// challenge and a JSON body. Only the subject, client and organization of a
// token are logged, never the token.
func (v *Validator) deny(w http.ResponseWriter, r *http.Request, req Requirement, id *Identity, err error) {
	status, code, message := v.denial(req, err)
	switch {
	case errors.Is(err, ErrReplayStoreUnavailable):
		w.Header().Set("Retry-After", "1")
	case errors.Is(err, ErrKeysUnavailable):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(v.cfg.UnknownKIDWindow.Seconds()))))
	}
	if status != http.StatusServiceUnavailable {
		v.setChallenges(w, r, req, code, message)
	}
	attrs := []any{"status", status, "method", r.Method, "path", r.URL.Path, "reason", message}
	if id != nil {
		attrs = append(attrs, "sub", id.Subject, "client_id", id.ClientID, "org_id", id.OrgID)
	}
	v.cfg.Logger.InfoContext(r.Context(), "request denied", attrs...)
	v.observeDenied(r, status, message)
	CloseUnreadBody(w, r)
	WriteJSONError(w, status, message)
}

// denial is the status, RFC 6750 error code (empty: none) and message of
// a refusal for err.
func (v *Validator) denial(req Requirement, err error) (status int, code, message string) {
	if status, code, message, ok := dpopDenial(err); ok {
		return status, code, message
	}
	switch {
	case errors.Is(err, ErrNoToken):
		return http.StatusUnauthorized, "", v.noTokenMessage(req)
	case errors.Is(err, ErrMalformedRequest):
		return http.StatusBadRequest, "invalid_request", err.Error()
	case errors.Is(err, ErrReplayStoreUnavailable):
		return http.StatusServiceUnavailable, "", "DPoP proofs cannot be checked for replay right now; retry later"
	case errors.Is(err, ErrKeysUnavailable):
		return http.StatusServiceUnavailable, "", "the signing keys of the tenant cannot be fetched right now; retry later"
	case errors.Is(err, ErrInsufficientScope), errors.Is(err, ErrOrganization):
		return http.StatusForbidden, "insufficient_scope", err.Error()
	}
	return http.StatusUnauthorized, "invalid_token", "invalid token: " + reason(err)
}

// Challenge sets the WWW-Authenticate challenges Require would send with
// a refusal for err, for a handler behind Require that refuses on its own:
// one that finds, once it has read the request, that the operation needs
// more than the route's requirement (a permission for the model a body
// names). Pass req with everything the operation needs, the route's
// scopes too: the challenge's scope is what the client asks the tenant
// for next (RFC 6750 section 3, the Model Context Protocol's step-up), so
// naming only what is missing would have it trade one scope for another.
// It writes no body, and nothing for errors answered without a challenge
// (503s).
func (v *Validator) Challenge(w http.ResponseWriter, r *http.Request, req Requirement, err error) {
	if status, code, message := v.denial(req, err); status != http.StatusServiceUnavailable {
		v.setChallenges(w, r, req, code, message)
	}
}

func hasQueryToken(q map[string][]string) bool {
	for k := range q {
		if strings.EqualFold(k, "access_token") {
			return true
		}
	}
	return false
}

// CloseUnreadBody makes an answer given without reading the request body
// the last one on its HTTP/1 connection. Otherwise net/http would read (up
// to 256 KiB of) the body before sending the answer, so a client that
// announces a body and never sends it would hold the connection and its
// answer until the read timeout. The answer goes out at once; what of the
// body is already on its way is drained for at most half a second (as
// net/http itself waits before closing, so that the client is not reset
// before it reads the answer), then the connection closes. Call it before
// writing the header.
func CloseUnreadBody(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 1 || r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyDrainTime))
}

// bodyDrainTime is net/http's rstAvoidanceDelay.
const bodyDrainTime = 500 * time.Millisecond

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

// WriteJSONError writes {"message": message} with the status, or the body
// w's ErrorShaper gives.
func WriteJSONError(w http.ResponseWriter, status int, message string) {
	body := errorBody(w, status, message)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
