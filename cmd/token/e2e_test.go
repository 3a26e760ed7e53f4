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

	"github.com/model-api-auth0/model-api-auth0/internal/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/gatewaytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testissuer"
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
		json.NewEncoder(w).Encode(map[string]string{"caller": r.Header.Get(gateway.HeaderSubject), "auth": r.Header.Get("Authorization")})
	}))
	defer model.Close()
	gw := gatewaytest.Start(t, iss, model.URL)

	common := []string{"-client-id", "cid-batch", "-audience", iss.Audience, "-token-url", tokens.URL}
	vars := map[string]string{"AUTH0_CLIENT_SECRET": secret}
	out, _, err := runToken(t, vars, "", append(common, "-call", gw.URL+"/v1/chat/completions", "-method", "POST", "-data", `{"model":"m"}`)...)
	if err != nil || !strings.Contains(out, `"caller":"cid-batch@clients"`) || !strings.Contains(out, `"auth":""`) {
		t.Errorf("chat completion: %s %v", out, err)
	}
	// The client was granted invoke:models only: listing models needs read:models.
	_, _, err = runToken(t, vars, "", append(common, "-call", gw.URL+"/v1/models")...)
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("list models without read:models: %v", err)
	}
}

// An M2M client allowed organizations gets a token for one with -org,
// from the dev tenant, and the gateway sees that organization.
func TestClientTokenForAnOrganization(t *testing.T) {
	cfg := devtenanttest.Stack(t, "dev")
	cfg.Clients[0].OrganizationUsage, cfg.Clients[0].AllowAnyOrganization = "allow", true
	tn := devtenanttest.Start(t, cfg, devtenant.Options{})
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, tn.WriteOutputs(outputs))
	vars := map[string]string{"AUTH0_CLIENT_SECRET": tn.ClientSecret(cfg.Clients[0].Name)}
	for org, want := range map[string]string{"acme": tn.OrgID("acme"), "": ""} {
		out, stderr, err := runToken(t, vars, "", "-stack-outputs", outputs, "-client", cfg.Clients[0].Name, "-org", org)
		require.NoError(t, err, stderr)
		id, err := devtenanttest.Validator(t, tn).Validate(context.Background(), strings.TrimSpace(out))
		require.NoError(t, err)
		assert.Equal(t, want, id.OrgID, "org %q", org)
	}
}
