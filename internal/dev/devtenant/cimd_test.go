package devtenant_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// agentHost serves agents' metadata documents over https on 127.0.0.1, as
// an agent's own site would; each path answers what docs says.
type agentHost struct {
	srv   *httptest.Server
	hits  atomic.Int64
	pages map[string]http.HandlerFunc
}

const agentCallback = "http://127.0.0.1:7777/callback"

func newAgentHost(t *testing.T) *agentHost {
	h := &agentHost{pages: map[string]http.HandlerFunc{}}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		if p := h.pages[r.URL.Path]; p != nil {
			p(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *agentHost) url(path string) string { return h.srv.URL + path }

// document serves a metadata document at path; doc's %s is the URL.
func (h *agentHost) document(path, doc string) string {
	u := h.url(path)
	h.pages[path] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, doc, u)
	}
	return u
}

const goodDocument = `{"client_id":%q,"client_name":"Test agent","redirect_uris":["` + agentCallback + `"],
	"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"]}`

func (h *agentHost) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(h.srv.Certificate())
	return pool
}

// cimdTenant starts the test stack with metadata documents on and the
// agents declared (URL to scopes); opts.MetadataDocuments as given.
func cimdTenant(t *testing.T, opts devtenant.Options, agents map[string][]string) *devtenant.Tenant {
	cfg := testStack(t)
	on := true
	cfg.Tenant = &stackconfig.TenantConfig{ClientIDMetadataDocuments: &on}
	for u, scopes := range agents {
		cfg.AgentClients = append(cfg.AgentClients, stackconfig.AgentClientConfig{MetadataURL: u, AppType: "native", Scopes: scopes})
	}
	return startTestWith(t, cfg, opts)
}

// agentAuthorize opens /authorize for the agent as a browser would and
// returns where the login ends: the agent's callback, or a *LoginError.
func agentAuthorize(t *testing.T, tn *devtenant.Tenant, clientID, redirect string, params ...string) (*url.URL, string, error) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	cfg := oauth2.Config{ClientID: clientID, RedirectURL: redirect, Scopes: []string{"openid", "profile", "read:models", "invoke:models"},
		Endpoint: oauth2.Endpoint{AuthURL: tn.AuthorizeURL(), TokenURL: tn.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for i := 0; i+1 < len(params); i += 2 {
		opts = append(opts, oauth2.SetAuthURLParam(params[i], params[i+1]))
	}
	cb, err := devtenant.Login(context.Background(), nil, cfg.AuthCodeURL("st", opts...),
		devtenant.Credentials{Email: "alice@acme.example.com", Password: tn.Password(), Organization: "acme"})
	return cb, verifier, err
}

func TestMetadataDocumentLogin(t *testing.T) {
	h := newAgentHost(t)
	granted := h.document("/granted.json", goodDocument)
	stranger := h.document("/stranger.json", goodDocument)
	tn := cimdTenant(t, devtenant.Options{MetadataDocuments: devtenant.MetadataDocuments{Loopback: true, RootCAs: h.pool()}},
		map[string][]string{granted: {"read:models"}})

	var meta map[string]any
	resp, err := http.Get(tn.Issuer() + ".well-known/openid-configuration")
	require.NoError(t, err)
	require.NoError(t, jsonDecode(resp, &meta))
	resp.Body.Close()
	assert.Equal(t, true, meta["client_id_metadata_document_supported"])

	// The declared agent: PKCE, no secret, people's permissions bounded by its grant.
	cb, verifier, err := agentAuthorize(t, tn, granted, agentCallback, "audience", tn.Audience())
	require.NoError(t, err)
	require.NotEmpty(t, cb.Query().Get("code"), cb.Query().Get("error_description"))
	tr := postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "client_id": {granted}, "code": {cb.Query().Get("code")},
		"redirect_uri": {agentCallback}, "code_verifier": {verifier}})
	require.Equal(t, 200, tr.Status, tr.Description)
	claims := verify(t, tn, tr.AccessToken, tn.Audience())
	assert.Equal(t, granted, claims["azp"])
	assert.Equal(t, []string{"read:models"}, strs(claims["permissions"]), "alice is a model-admin; the agent was granted read:models only")
	assert.Equal(t, []string{"openid", "profile", "read:models"}, strs(claims["scope"]))

	// An agent the stack does not declare has no grant on the API, as with
	// Auth0's require_client_grant, but may still log people in.
	cb, _, err = agentAuthorize(t, tn, stranger, agentCallback, "audience", tn.Audience())
	require.NoError(t, err)
	assert.Equal(t, "access_denied", cb.Query().Get("error"))
	assert.Contains(t, cb.Query().Get("error_description"), "has no grant")
	cb, _, err = agentAuthorize(t, tn, stranger, agentCallback)
	require.NoError(t, err)
	assert.NotEmpty(t, cb.Query().Get("code"), cb.Query().Get("error_description"))

	// A public client: a secret is refused.
	tr = postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "client_id": {granted}, "client_secret": {"x"}, "code": {"c"},
		"redirect_uri": {agentCallback}, "code_verifier": {verifier}})
	assert.Equal(t, "invalid_client", tr.Error)
}

func TestMetadataDocumentCache(t *testing.T) {
	h := newAgentHost(t)
	clk := newClock()
	u := h.document("/agent.json", goodDocument)
	tn := cimdTenant(t, devtenant.Options{Now: clk.Now, MetadataDocuments: devtenant.MetadataDocuments{Loopback: true, RootCAs: h.pool()}}, nil)
	for range 3 {
		cb, _, err := agentAuthorize(t, tn, u, agentCallback)
		require.NoError(t, err)
		require.NotEmpty(t, cb.Query().Get("code"))
	}
	assert.EqualValues(t, 1, h.hits.Load(), "fetched once while cached")
	// The agent changes its redirect URIs: seen once the cache expires.
	h.document("/agent.json", strings.Replace(goodDocument, agentCallback, "http://127.0.0.1:7778/callback", 1))
	_, _, err := agentAuthorize(t, tn, u, "http://127.0.0.1:7778/callback")
	assert.ErrorContains(t, err, "is not one of the callback URLs", "still the cached document")
	clk.Advance(devtenant.MetadataDocumentLifetime + time.Second)
	cb, _, err := agentAuthorize(t, tn, u, "http://127.0.0.1:7778/callback")
	require.NoError(t, err)
	assert.NotEmpty(t, cb.Query().Get("code"))
	assert.EqualValues(t, 2, h.hits.Load())
}

// What an attacker can put at a client_id: each is refused on the
// tenant's own page, never sent to a redirect_uri it could not check.
func TestMetadataDocumentRefusals(t *testing.T) {
	h := newAgentHost(t)
	good := h.document("/good.json", goodDocument)
	other := h.document("/other.json", strings.Replace(goodDocument, "%q", `"https://victim.example.com/client.json"`, 1)+"%.0s")
	secret := h.document("/secret.json", `{"client_id":%q,"redirect_uris":["`+agentCallback+`"],"token_endpoint_auth_method":"none","client_secret":"s"}`)
	basic := h.document("/basic.json", `{"client_id":%q,"redirect_uris":["`+agentCallback+`"],"token_endpoint_auth_method":"client_secret_basic"}`)
	noAuth := h.document("/noauth.json", `{"client_id":%q,"redirect_uris":["`+agentCallback+`"]}`)
	huge := h.document("/huge.json", `{"client_id":%q,"redirect_uris":["`+agentCallback+`"],"token_endpoint_auth_method":"none","pad":"`+
		strings.Repeat("x", devtenant.MaxMetadataDocumentBytes)+`"}`)
	h.pages["/slow.json"] = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	h.pages["/redirect.json"] = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, good, http.StatusFound) }
	h.pages["/text.json"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, goodDocument, h.url("/text.json"))
	}
	tn := cimdTenant(t, devtenant.Options{MetadataDocuments: devtenant.MetadataDocuments{Loopback: true, RootCAs: h.pool()}}, nil)
	// A short timeout for the slow document only: the others get the
	// default, so that a loaded machine does not fail them.
	impatient := cimdTenant(t, devtenant.Options{MetadataDocuments: devtenant.MetadataDocuments{Loopback: true, RootCAs: h.pool(), Timeout: 300 * time.Millisecond}}, nil)
	// The same tenant without loopback mode: as it runs for everyone else.
	public := cimdTenant(t, devtenant.Options{MetadataDocuments: devtenant.MetadataDocuments{RootCAs: h.pool()}}, nil)
	localhost := strings.Replace(good, "127.0.0.1", "localhost", 1)

	for _, c := range []struct {
		name, clientID, redirect string
		tenant                   *devtenant.Tenant
		want                     string
	}{
		{"client_id in the document differs", other, agentCallback, tn, "is not its URL"},
		{"redirect_uri not listed", good, "http://127.0.0.1:7777/evil", tn, "is not one of the callback URLs"},
		{"redirect_uri with another port", good, "http://127.0.0.1:7778/callback", tn, "is not one of the callback URLs"},
		{"plain http", "http://agent.example.com/client.json", agentCallback, tn, "over https only"},
		{"http on loopback, without loopback mode", strings.Replace(good, "https", "http", 1), agentCallback, public, "over https only"},
		{"a fragment", good + "#x", agentCallback, tn, "fragment"},
		{"no path", h.srv.URL, agentCallback, tn, "a path is required"},
		{"a secret in the document", secret, agentCallback, tn, "must not hold a client_secret"},
		{"a confidential agent", basic, agentCallback, tn, "public agents only"},
		{"no auth method", noAuth, agentCallback, tn, "public agents only"},
		{"huge", huge, agentCallback, tn, "larger than 5120 bytes"},
		{"slow", h.url("/slow.json"), agentCallback, impatient, "took longer than 300ms"},
		{"redirecting", h.url("/redirect.json"), agentCallback, tn, "redirects are not followed"},
		{"not JSON", h.url("/text.json"), agentCallback, tn, "want application/json"},
		{"not found", h.url("/missing.json"), agentCallback, tn, "answered 404"},
		{"loopback address without loopback mode (SSRF)", good, agentCallback, public, "is this machine"},
		{"a name for loopback without loopback mode (SSRF)", localhost, agentCallback, public, "is this machine"},
		{"a private address (SSRF)", "https://10.0.0.1/client.json", agentCallback, tn, "private or reserved address"},
		{"cloud metadata (SSRF)", "https://169.254.169.254/latest/client.json", agentCallback, tn, "private or reserved address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := h.hits.Load()
			_, _, err := agentAuthorize(t, c.tenant, c.clientID, c.redirect)
			var le *devtenant.LoginError
			require.True(t, errors.As(err, &le), "refused on the tenant's page, not redirected: %v", err)
			assert.Equal(t, http.StatusBadRequest, le.Status)
			assert.Contains(t, le.Message, c.want)
			if strings.Contains(c.name, "SSRF") {
				assert.Equal(t, before, h.hits.Load(), "never fetched")
			}
		})
	}

	// The token endpoint refuses them alike.
	tr := postToken(t, tn, url.Values{"grant_type": {"authorization_code"}, "client_id": {other}, "code": {"c"}})
	assert.Equal(t, "invalid_client", tr.Error)
	assert.Contains(t, tr.Description, "is not its URL")
}

// Without the stack's setting, a URL is an unknown client, and discovery
// says nothing of metadata documents.
func TestMetadataDocumentsOff(t *testing.T) {
	h := newAgentHost(t)
	u := h.document("/agent.json", goodDocument)
	tn := startTest(t, devtenant.Options{MetadataDocuments: devtenant.MetadataDocuments{Loopback: true, RootCAs: h.pool()}})
	_, _, err := agentAuthorize(t, tn, u, agentCallback)
	assert.ErrorContains(t, err, "No application has the client_id")
	assert.Zero(t, h.hits.Load())
	resp, err := http.Get(tn.Issuer() + ".well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.NotContains(t, string(body), "client_id_metadata_document_supported")
}

func startTestWith(t testing.TB, cfg *stackconfig.Config, opts devtenant.Options) *devtenant.Tenant {
	t.Helper()
	return devtenanttest.Start(t, cfg, opts)
}
