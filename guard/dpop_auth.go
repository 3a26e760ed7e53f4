package guard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// errBoundAsBearer and errDPoPNeeded are ErrInvalidToken: the token may be
// fine, but not sent that way.
var (
	errBoundAsBearer = fmt.Errorf("%w: the token is bound to a key (cnf.jkt): send it as `Authorization: DPoP <token>` with a DPoP proof header", ErrInvalidToken)
	errDPoPNeeded    = fmt.Errorf("%w: this route needs a DPoP-bound token: send `Authorization: DPoP <token>` with a DPoP proof header", ErrInvalidToken)
	errUnbound       = fmt.Errorf("%w: the DPoP scheme needs a token bound to a key (cnf.jkt); ask the tenant for one with a DPoP proof", ErrInvalidToken)
)

// authenticate validates the Authorization header's token, by its scheme:
// Bearer, or DPoP with the request's proof.
func (v *Validator) authenticate(r *http.Request, req Requirement, header string) (*Identity, error) {
	scheme, token, _ := strings.Cut(header, " ")
	if v.dpop != nil && strings.EqualFold(scheme, "DPoP") && len(header) <= v.cfg.MaxTokenBytes {
		return v.authenticateDPoP(r, token)
	}
	token, err := v.TokenFromHeader(header)
	if err != nil {
		return nil, err
	}
	if v.dpopOnly(req) {
		return nil, errDPoPNeeded
	}
	id, err := v.Validate(r.Context(), token)
	if err == nil && id.KeyThumbprint != "" {
		return nil, errBoundAsBearer
	}
	return id, err
}

func (v *Validator) authenticateDPoP(r *http.Request, token string) (*Identity, error) {
	if token == "" || strings.ContainsAny(token, " \t") {
		return nil, fmt.Errorf("%w: want `DPoP <token>`", ErrMalformedRequest)
	}
	proof, err := dpopProof(r)
	if err != nil {
		return nil, err
	}
	if len(proof) > v.cfg.MaxTokenBytes {
		return nil, proofErr("longer than %d bytes", v.cfg.MaxTokenBytes)
	}
	id, err := v.Validate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if id.KeyThumbprint == "" {
		return nil, errUnbound
	}
	if err := v.dpop.verify(r.Context(), r, proof, token, id.KeyThumbprint); err != nil {
		return nil, err
	}
	return id, nil
}

// dpopOnly reports whether req refuses bearer tokens.
func (v *Validator) dpopOnly(req Requirement) bool {
	return req.DPoP || v.cfg.DPoP.Mode == DPoPRequired
}

// noTokenMessage says which tokens a request without one may bring.
func (v *Validator) noTokenMessage(req Requirement) string {
	switch {
	case v.dpop != nil && v.dpopOnly(req):
		return "a DPoP-bound token is required: send `Authorization: DPoP <token>` with a DPoP proof header"
	case v.dpop != nil:
		return "a bearer token, or a DPoP-bound token with its DPoP proof, is required"
	}
	return "a bearer token is required"
}

// offerNonce sends the current DPoP nonce to a caller using DPoP, so that
// its next proof can carry it.
func (v *Validator) offerNonce(w http.ResponseWriter, r *http.Request) {
	if v.dpop != nil && v.dpop.Nonces != nil && len(r.Header.Values("DPoP")) > 0 {
		w.Header().Set("DPoP-Nonce", v.dpop.Nonces.Current())
	}
}

// dpopDenial is the status, error code and message of the DPoP errors;
// ok is false for the others.
func dpopDenial(err error) (status int, code, message string, ok bool) {
	switch {
	case errors.Is(err, ErrUseDPoPNonce):
		return http.StatusUnauthorized, "use_dpop_nonce", err.Error(), true
	case errors.Is(err, ErrInvalidDPoPProof):
		return http.StatusUnauthorized, "invalid_dpop_proof", err.Error(), true
	case errors.Is(err, errBoundAsBearer), errors.Is(err, errDPoPNeeded), errors.Is(err, errUnbound):
		return http.StatusUnauthorized, "invalid_token", err.Error(), true
	}
	return 0, "", "", false
}

// setChallenges writes the WWW-Authenticate challenges of a denial: Bearer
// where bearer tokens are accepted, DPoP (with its algs) where DPoP is
// (RFC 9449 section 7.1). The error goes on the challenge of the scheme the
// request used, or on the only one offered; every challenge names the
// scopes the route needs (RFC 6750 section 3; the Model Context Protocol
// has clients ask for them after a 401 as after a 403) and, with one, the
// resource metadata (RFC 9728 section 5.1).
func (v *Validator) setChallenges(w http.ResponseWriter, r *http.Request, req Requirement, code, message string) {
	errParams := ""
	if code != "" {
		errParams = fmt.Sprintf(", error=%q, error_description=%q", code, strings.ReplaceAll(message, `"`, "'"))
	}
	common := ""
	if scopes := req.Scopes(); len(scopes) > 0 {
		common += fmt.Sprintf(", scope=%q", strings.Join(scopes, " "))
	}
	if v.cfg.ResourceMetadataURL != "" {
		common += fmt.Sprintf(", resource_metadata=%q", v.cfg.ResourceMetadataURL)
	}
	// A route needing DPoP of a Validator without it refuses everything;
	// the Bearer challenge is all it can offer.
	bearer, dpop := !v.dpopOnly(req) || v.dpop == nil, v.dpop != nil
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	usedDPoP := dpop && (strings.EqualFold(scheme, "DPoP") || !bearer)
	if bearer {
		p := errParams
		if usedDPoP {
			p = ""
		}
		w.Header().Add("WWW-Authenticate", fmt.Sprintf("Bearer realm=%q", v.cfg.Audience)+p+common)
	}
	if dpop {
		p := errParams
		if !usedDPoP {
			p = ""
		}
		w.Header().Add("WWW-Authenticate", fmt.Sprintf("DPoP algs=%q, realm=%q", v.dpop.algs, v.cfg.Audience)+p+common)
	}
	if code == "use_dpop_nonce" {
		w.Header().Set("DPoP-Nonce", v.dpop.Nonces.Current())
	}
}
