package devtenant

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/golang-jwt/jwt/v5"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// dpopState is the token endpoint's side of DPoP (RFC 9449 section 5), as
// Auth0 has it: a request with a valid DPoP proof gets tokens bound to the
// proof's key (cnf.jkt, token_type DPoP), and so does every refresh of a
// refresh token issued that way, which needs a proof of the same key.
type dpopState struct {
	once   sync.Once
	proofs *guard.TokenEndpointProofs
	err    error

	mu      sync.Mutex
	refresh map[string]string // refresh token -> jkt it is bound to

	// userinfo checks the proofs that come with bound tokens to /userinfo.
	userinfoOnce sync.Once
	userinfo     *guard.EndpointProofs
	userinfoErr  error
}

// requirePoP applies the API's proofOfPossession: required for all_clients
// binds every client's tokens, for public_clients the native client's.
func (d *directory) requirePoP(pop *stackconfig.ProofOfPossessionConfig) {
	if pop == nil || !pop.Required {
		return
	}
	d.native.RequirePoP = true
	if pop.RequiredFor == stackconfig.PoPAllClients {
		d.web.RequirePoP = true
		for _, c := range d.clients {
			c.RequirePoP = true
		}
	}
}

// proofKey checks the request's DPoP proof, if any, and returns its key's
// thumbprint: "" for an unbound request, which a client with
// requireProofOfPossession may not make.
func (t *Tenant) proofKey(r *http.Request, c *client, form url.Values) (string, error) {
	d := &t.dpop
	d.once.Do(func() {
		d.proofs, d.err = guard.NewTokenEndpointProofs(t.Issuer()+"oauth/token", guard.DPoPConfig{}, guard.DefaultLeeway, t.now)
	})
	if d.err != nil {
		return "", d.err
	}
	jkt := ""
	switch values := r.Header.Values("DPoP"); len(values) {
	case 0:
	case 1:
		var err error
		if jkt, err = d.proofs.Verify(r.Context(), values[0]); err != nil {
			return "", &oauthError{http.StatusBadRequest, "invalid_dpop_proof", err.Error()}
		}
	default:
		return "", &oauthError{http.StatusBadRequest, "invalid_dpop_proof", "send one DPoP header, not several"}
	}
	if jkt == "" && c.RequirePoP {
		return "", errInvalidRequest(fmt.Sprintf("%s requires proof of possession (requireProofOfPossession): send a DPoP header with a proof, and use the DPoP-bound token it gets", c.Name))
	}
	if form.Get("grant_type") == "refresh_token" {
		d.mu.Lock()
		bound := d.refresh[form.Get("refresh_token")]
		d.mu.Unlock()
		if bound != "" && bound != jkt {
			return "", &oauthError{http.StatusBadRequest, "invalid_dpop_proof", "the refresh token is bound to a DPoP key: send a proof signed with that key"}
		}
	}
	return jkt, nil
}

// bind makes resp's access token bound to the key jkt. The grants sign
// their tokens as they always do; the token is signed again with cnf so
// that binding stays in this file.
func (t *Tenant) bind(resp *tokenResponse, jkt string) (*tokenResponse, error) {
	claims, err := t.keys.parse(resp.AccessToken, jwt.WithTimeFunc(t.now))
	if err != nil {
		return nil, errors.New("binding the access token: " + err.Error())
	}
	claims["cnf"] = map[string]string{"jkt": jkt}
	if resp.AccessToken, err = t.keys.sign(claims); err != nil {
		return nil, err
	}
	resp.TokenType = "DPoP"
	if resp.RefreshToken != "" {
		t.dpop.mu.Lock()
		if t.dpop.refresh == nil {
			t.dpop.refresh = map[string]string{}
		}
		t.dpop.refresh[resp.RefreshToken] = jkt
		t.dpop.mu.Unlock()
	}
	return resp, nil
}

// userinfoDPoP checks how a token comes to /userinfo: a token bound to a
// key (cnf.jkt) only as DPoP, with a proof of that key for this request
// (guard's checks: ath, htm, htu, iat, jti once); an unbound one only as
// Bearer.
func (t *Tenant) userinfoDPoP(r *http.Request, dpop bool, token string, claims jwt.MapClaims) error {
	cnf, _ := claims["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	switch {
	case jkt == "" && dpop:
		return errors.New("the token is not DPoP-bound: send it as Bearer")
	case jkt == "":
		return nil
	case !dpop:
		return errors.New("the token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof of its key")
	}
	d := &t.dpop
	d.userinfoOnce.Do(func() {
		d.userinfo, d.userinfoErr = guard.NewEndpointProofs(t.Issuer()+"userinfo", guard.DPoPConfig{}, guard.DefaultLeeway, t.now)
	})
	if d.userinfoErr != nil {
		return d.userinfoErr
	}
	proofs := r.Header.Values("DPoP")
	if len(proofs) != 1 {
		return errors.New("send one DPoP header with a proof")
	}
	return d.userinfo.Verify(r.Context(), proofs[0], r.Method, token, jkt)
}
