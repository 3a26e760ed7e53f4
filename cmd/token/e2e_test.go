package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// The whole path a model client takes: client credentials at the tenant's
// token endpoint, then the gateway, which checks the token's scope and hands
// the model server the caller's identity.
func TestClientThroughGatewayToModelServer(t *testing.T) {
	iss := testissuer.New(t)
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("client_secret") != secret || r.PostForm.Get("audience") != iss.Audience {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"access_denied"}`)
			return
		}
		id := r.PostForm.Get("client_id")
		tok := iss.Token(map[string]any{"sub": id + "@clients", "azp": id, "scope": "invoke:models"})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	}))
	defer tokens.Close()
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"caller": r.Header.Get(proxy.HeaderSubject), "auth": r.Header.Get("Authorization")})
	}))
	defer model.Close()
	gw := proxytest.Start(t, iss, model.URL)

	common := []string{"-client-id", "cid-batch", "-audience", iss.Audience, "-token-url", tokens.URL}
	vars := map[string]string{"AUTH0_CLIENT_SECRET": secret}
	out, _, err := runToken(t, vars, "", append(common, "-call", gw.URL+"/v1/chat/completions", "-method", "POST", "-data", `{"model":"m"}`)...)
	if err != nil || !strings.Contains(out, `"caller":"cid-batch@clients"`) || !strings.Contains(out, `"auth":""`) {
		t.Errorf("chat completion: %s %v", out, err)
	}
	// -data alone posts, as curl's does (the route is POST only).
	out, stderr, err := runToken(t, vars, "", append(common, "-call", gw.URL+"/v1/chat/completions", "-data", `{"model":"m"}`)...)
	if err != nil || !strings.Contains(out, `"caller":"cid-batch@clients"`) || !strings.HasPrefix(stderr, "POST ") {
		t.Errorf("chat completion without -method: %s %s %v", out, stderr, err)
	}
	// The client was granted invoke:models only: listing models needs read:models.
	_, _, err = runToken(t, vars, "", append(common, "-call", gw.URL+"/v1/models")...)
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("list models without read:models: %v", err)
	}
}

// An M2M client allowed organizations gets a token for one with -org,
// from the dev tenant, and the gateway sees that organization. The tenant
// takes organization IDs only unless it allows names, as Auth0 does: with
// the stack outputs a name is resolved to its ID; without them, it is sent
// as given.
func TestClientTokenForAnOrganization(t *testing.T) {
	cfg := devtenanttest.Stack(t, "dev")
	cfg.Clients[0].OrganizationUsage, cfg.Clients[0].AllowAnyOrganization = "allow", true
	client := cfg.Clients[0].Name
	tenants := map[bool]*devtenant.Tenant{}
	outputs := map[bool]string{}
	for _, namesAllowed := range []bool{false, true} {
		tn := devtenanttest.Start(t, cfg, devtenant.Options{OrganizationIDsOnly: !namesAllowed})
		tenants[namesAllowed], outputs[namesAllowed] = tn, filepath.Join(t.TempDir(), "outputs.json")
		require.NoError(t, tn.WriteOutputs(outputs[namesAllowed]))
	}
	acme := tenants[false].OrgID("acme") // the same at every start
	cases := []struct {
		name         string
		namesAllowed bool
		outputs      bool // -stack-outputs and -client; else flags only
		org          string
		want         string // org_id of the token
		wantErr      string
	}{
		{name: "a name, with the stack outputs", outputs: true, org: "acme", want: acme},
		{name: "an ID, with the stack outputs", outputs: true, org: acme, want: acme},
		{name: "no organization", outputs: true},
		{name: "an unknown name, with the stack outputs", outputs: true, org: "initech", wantErr: "(it has: acme, globex)"},
		{name: "an ID, flags only", org: acme, want: acme},
		{name: "a name, flags only", org: "acme", wantErr: "parameter organization must be an organization id"},
		{name: "a name, flags only, on a tenant that allows names", namesAllowed: true, org: "acme", want: acme},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tn := tenants[c.namesAllowed]
			args := []string{"-client-id", tn.ClientID(client), "-issuer", tn.Issuer(), "-audience", tn.Audience()}
			if c.outputs {
				args = []string{"-stack-outputs", outputs[c.namesAllowed], "-client", client}
			}
			vars := map[string]string{"AUTH0_CLIENT_SECRET": tn.ClientSecret(client)}
			out, stderr, err := runToken(t, vars, "", append(args, "-org", c.org)...)
			if c.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.wantErr)
				return
			}
			require.NoError(t, err, stderr)
			id, err := devtenanttest.Validator(t, tn).Validate(context.Background(), strings.TrimSpace(out))
			require.NoError(t, err)
			assert.Equal(t, c.want, id.OrgID)
		})
	}
}
