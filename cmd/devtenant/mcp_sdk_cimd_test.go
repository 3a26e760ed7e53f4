package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// agentCallback is where the agents' documents say their login codes go:
// not one of the dev stack's cliApp callbacks, so that a login reaching it
// shows the tenant took the document's.
const agentCallback = "http://127.0.0.1:8977/callback"

// An agent that brings its own client ID: the official MCP TypeScript
// SDK's own auth(), unchanged, with a provider that has no client
// information, only the URL of its Client ID Metadata Document. The dev
// stack's tenant says client_id_metadata_document_supported, so auth()
// uses the URL as client_id; the tenant fetches the document (served here
// over TLS on 127.0.0.1, trusted through -agents-ca, with
// -agents-on-loopback) and takes its redirect URI. The agent the stack
// declares in agentClients gets a token for the gateway, limited to its
// grant, and the route answers; an agent the stack does not declare is
// refused an API token (access_denied: no grant), as with Auth0's
// require_client_grant. Skipped without node or the SDK, unless
// REQUIRE_NODE=1.
func TestMCPSDKAgentWithMetadataDocument(t *testing.T) {
	node := needMCPSDK(t)
	docs := newDocumentHost(t)
	declared, stranger := docs.document("/agents/declared.json"), docs.document("/agents/stranger.json")
	stack := stackWithAgents(t, map[string]any{"metadataUrl": declared, "description": "The MCP SDK test agent", "scopes": []string{"read:models"}, "models": []string{"echo-small"}})
	r := startGateway(t, "-config", stack, "-agents-on-loopback", "-agents-ca", docs.caFile(t))
	gatewayURL := "http://" + r.addr + "/"

	for _, tt := range []struct {
		name, document string
		check          func(t *testing.T, got agentResult)
	}{
		{"declared in agentClients", declared, func(t *testing.T, got agentResult) {
			require.Nil(t, got.CallbackError, "the tenant refused the login:\n%s", r.stderr.String())
			assert.Equal(t, declared, got.TokenRequest.ClientID, "auth() redeems the code as the document's URL")
			assert.Equal(t, "authorization_code", got.TokenRequest.GrantType)
			assert.Equal(t, gatewayURL, got.TokenRequest.Resource)
			assert.False(t, got.TokenRequest.HasSecret, "a public client: no secret")
			assert.Equal(t, declared, got.AZP, "the token was issued to the agent's client")
			assertRouteAnswered(t, got)
		}},
		{"not declared", stranger, func(t *testing.T, got agentResult) {
			require.NotNil(t, got.CallbackError, "an undeclared agent got a code for the API")
			assert.Equal(t, "access_denied", got.CallbackError.Error)
			assert.Equal(t, "Client "+stranger+" has no grant for "+gatewayURL+"; declare it in model-api-auth0:agentClients",
				got.CallbackError.Description)
			assert.Empty(t, got.TokenRequest.ClientID, "no token request")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runAgent(t, node, gatewayURL, "CLIENT_METADATA_URL="+tt.document, "REDIRECT_URL="+agentCallback)
			require.NoError(t, err, "the agent failed:\n%s%s\ngateway and tenant:\n%s", stdout, stderr, r.stderr.String())
			got := parseAgentResult(t, stdout)
			// Either way the SDK picked the URL-based client ID from the
			// tenant's metadata, and the tenant read the document.
			assert.Equal(t, tt.document, got.Authorize.ClientID, "auth() sends the document's URL as client_id")
			assert.Equal(t, gatewayURL, got.Authorize.Resource)
			assert.Empty(t, got.Authorize.Audience)
			assert.Equal(t, "S256", got.Authorize.CodeChallengeMethod)
			assert.Positive(t, docs.served(tt.document), "the tenant fetched the document")
			tt.check(t, got)
		})
	}
}

// documentHost serves agents' Client ID Metadata Documents over TLS on
// 127.0.0.1, as an agent's own site would: client_id is the document's
// URL, the redirect URI agentCallback, a public client.
type documentHost struct {
	srv  *httptest.Server
	mu   sync.Mutex
	docs map[string][]byte // path to document
	hits map[string]int    // URL to times served
}

func newDocumentHost(t *testing.T) *documentHost {
	h := &documentHost{docs: map[string][]byte{}, hits: map[string]int{}}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		doc, ok := h.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.hits[h.srv.URL+r.URL.Path]++
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// document serves an agent's document at path and returns its URL.
func (h *documentHost) document(path string) string {
	u := h.srv.URL + path
	doc, err := json.Marshal(map[string]any{"client_id": u, "client_name": "MCP SDK test agent " + path,
		"redirect_uris": []string{agentCallback}, "grant_types": []string{"authorization_code"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": "none"})
	if err != nil {
		panic(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.docs[path] = doc
	return u
}

func (h *documentHost) served(url string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[url]
}

// caFile writes the server's certificate (its own CA) as PEM, for
// -agents-ca.
func (h *documentHost) caFile(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "agents-ca.pem")
	require.NoError(t, os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw}), 0o600))
	return f
}

// stackWithAgents writes the dev stack with agentClients set to agents
// (each as the stack file spells it), for -config. The dev stack already
// sets tenant.clientIdMetadataDocuments; the rest, comments included,
// stays as it is.
func stackWithAgents(t *testing.T, agents ...map[string]any) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(devtenanttest.RepoRoot(t), "Pulumi.dev.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(b), "clientIdMetadataDocuments: true", "the dev stack turns metadata documents on")
	require.NotContains(t, string(b), stackconfig.KeyAgentClients+":", "the dev stack declares agents already: the test would add a second list")
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(b, &doc))
	root := doc.Content[0]
	var config *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "config" {
			config = root.Content[i+1]
		}
	}
	require.NotNil(t, config, "Pulumi.dev.yaml has no config")
	var value yaml.Node
	require.NoError(t, value.Encode(agents))
	config.Content = append(config.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: stackconfig.KeyAgentClients}, &value)
	out, err := yaml.Marshal(&doc)
	require.NoError(t, err)
	f := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	require.NoError(t, os.WriteFile(f, out, 0o600))
	return f
}

// -agents-ca adds the file's certificates to the system's roots; a file
// that is missing or holds no certificate is refused at start, by name.
func TestAgentsCA(t *testing.T) {
	dir := t.TempDir()
	good := newDocumentHost(t).caFile(t)
	notPEM := filepath.Join(dir, "key.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600))
	for _, tt := range []struct {
		name, file, err string
	}{
		{"a CA certificate", good, ""},
		{"missing", filepath.Join(dir, "missing.pem"), "-agents-ca open " + filepath.Join(dir, "missing.pem") + ": no such file or directory"},
		{"not PEM", notPEM, `-agents-ca "` + notPEM + `": no PEM certificate in it`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parse([]string{"-outputs", "x.json", "-agents-ca", tt.file}, noEnv, io.Discard)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			sys, err := x509.SystemCertPool()
			require.NoError(t, err)
			assert.False(t, s.agentsRoots.Equal(sys), "the file's CA is added")
			certs, err := os.ReadFile(tt.file)
			require.NoError(t, err)
			require.True(t, sys.AppendCertsFromPEM(certs))
			assert.True(t, s.agentsRoots.Equal(sys), "to the system's roots, not alone")
		})
	}
}
