package devtenant

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// Handler serves the tenant's endpoints. The issuer must be known (Start,
// or Options.Issuer) before it answers requests.
func (t *Tenant) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", t.home)
	mux.HandleFunc("GET /.well-known/openid-configuration", t.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", t.jwks)
	mux.HandleFunc("GET /authorize", t.authorize)
	mux.HandleFunc("POST /u/login", t.submitLogin)
	mux.HandleFunc("POST /u/organization", t.submitOrganization)
	mux.HandleFunc("POST /oauth/token", t.token)
	mux.HandleFunc("POST /oauth/revoke", t.revoke)
	mux.HandleFunc("GET /v2/logout", t.logoutAuth0)
	mux.HandleFunc("GET /oidc/logout", t.logoutOIDC)
	mux.HandleFunc("POST /oidc/logout", t.logoutOIDC)
	mux.HandleFunc("GET /userinfo", t.userinfo)
	return t.logRequests(t.checkHost(mux))
}

// checkHost answers requests for the issuer's host only. A page elsewhere
// whose name an attacker resolves to this address (DNS rebinding) reaches
// the tenant with its own Host, and would otherwise read the tenant's
// answers as its own origin's: its login pages, its tokens. (The token
// command's login callback refuses such requests too.)
func (t *Tenant) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if issuer, err := url.Parse(t.Issuer()); err != nil || !strings.EqualFold(r.Host, issuer.Host) {
			t.pages.errorPage(w, http.StatusMisdirectedRequest, "Wrong host", "The dev tenant answers only at its issuer, "+t.Issuer()+".")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs method, path and status: never the query or the body,
// which carry codes, tokens and passwords.
func (t *Tenant) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.Issuer() == "" {
			http.Error(w, ErrNotStarted.Error(), http.StatusServiceUnavailable)
			return
		}
		start := t.now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		t.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// discovery is the OpenID Provider metadata, as Auth0 publishes it for
// the parts the dev tenant implements.
func (t *Tenant) discovery(w http.ResponseWriter, r *http.Request) {
	iss := t.Issuer()
	meta := map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "authorize",
		"token_endpoint":                        tenanturl.Token(iss),
		"userinfo_endpoint":                     iss + "userinfo",
		"jwks_uri":                              tenanturl.JWKS(iss),
		"end_session_endpoint":                  iss + "oidc/logout",
		"revocation_endpoint":                   tenanturl.Revoke(iss),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{t.keys.method.Alg()},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic", "none"},
		"scopes_supported":                      append([]string{"openid", "profile", "email", "offline_access"}, t.apiScopes()...),
		"claims_supported":                      []string{"aud", "auth_time", "email", "email_verified", "exp", "iat", "iss", "name", "nonce", "org_id", "org_name", "sub"},
		"request_parameter_supported":           false,
		// The proof algorithms the token endpoint and /userinfo take
		// (guard's); Auth0 advertises ES256 among them.
		"dpop_signing_alg_values_supported": guard.DefaultDPoPAlgs,
	}
	if t.docs != nil {
		meta["client_id_metadata_document_supported"] = true
	}
	writeJSON(w, http.StatusOK, meta)
}

func (t *Tenant) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=60")
	w.Write(t.keys.jwks)
}

func (t *Tenant) home(w http.ResponseWriter, r *http.Request) {
	t.pages.render(w, http.StatusOK, "home", map[string]any{"Issuer": t.Issuer(), "Audience": t.Audience()})
}

func (t *Tenant) apiScopes() []string {
	out := make([]string, len(t.cfg.API.Scopes))
	for i, s := range t.cfg.API.Scopes {
		out[i] = s.Name
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// oauthError is an error of the token endpoint, written as RFC 6749 5.2 JSON.
type oauthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_request", desc}
}
func errInvalidGrant(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_grant", desc}
}
func errInvalidClient(desc string) *oauthError {
	return &oauthError{http.StatusUnauthorized, "invalid_client", desc}
}

// errAccessDenied is Auth0's answer to a grant the tenant does not allow
// (an audience or scopes the client was not granted): 403 access_denied.
func errAccessDenied(desc string) *oauthError {
	return &oauthError{http.StatusForbidden, "access_denied", desc}
}
func errUnauthorizedClient(desc string) *oauthError {
	return &oauthError{http.StatusForbidden, "unauthorized_client", desc}
}
