package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
)

// With the stack's models and no -routes, -gateway runs as a model
// platform: each person calls only their roles' models, sees only those
// listed, is charged for each call, and finds it in their usage.
func TestGatewayDemoRoutesTheStacksModels(t *testing.T) {
	r := startGateway(t)
	base := "http://" + r.addr
	banner := r.stdout.String()
	assert.Contains(t, banner, "routes   ")
	assert.Contains(t, banner, "ledger   sqlite:")
	routes, err := os.ReadFile(strings.TrimSuffix(r.outputs, ".outputs.json") + ".routes.yaml")
	if os.IsNotExist(err) { // -outputs outputs.json: beside it, without the suffix to trim
		routes, err = os.ReadFile(strings.TrimSuffix(r.outputs, ".json") + ".routes.yaml")
	}
	require.NoError(t, err, "the demo's routes file is written beside the outputs")
	assert.Contains(t, string(routes), `name: "echo-large"`)

	login := func(email, org string) *http.Client {
		hc, _ := devtenanttest.LogInAtGateway(t, base, "organization="+org, devtenant.Credentials{Email: email, Password: devPassword, Organization: org})
		return hc
	}
	chat := func(hc *http.Client, model string) (int, string) {
		req, err := http.NewRequest("POST", base+"/v1/chat/completions",
			strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hello"}]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", base) // the gateway's own page, as a browser sends it
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	listed := func(hc *http.Client) []string {
		var models struct{ Data []struct{ ID string } }
		require.NoError(t, json.Unmarshal([]byte(devtenanttest.Page(t, hc, base+"/v1/models")), &models))
		var ids []string
		for _, m := range models.Data {
			ids = append(ids, m.ID)
		}
		return ids
	}

	alice, bob := login("alice@acme.example.com", "acme"), login("bob@globex.example.com", "globex")
	assert.ElementsMatch(t, []string{"echo-small", "echo-large"}, listed(alice), "model-admin: both models")
	assert.Equal(t, []string{"echo-small"}, listed(bob), "model-user: the small model only")
	status, body := chat(alice, "echo-large")
	assert.Equal(t, http.StatusOK, status, body)
	status, body = chat(bob, "echo-large")
	assert.Equal(t, http.StatusForbidden, status, body)
	assert.Contains(t, body, "model:echo-large")
	status, body = chat(bob, "echo-small")
	assert.Equal(t, http.StatusOK, status, body)

	var budgets struct {
		Budgets []struct{ Level, Unit, Period string }
	}
	require.NoError(t, json.Unmarshal([]byte(devtenanttest.Page(t, bob, base+"/v1/usage/me/budgets")), &budgets), "the person's budgets")
	assert.NotEmpty(t, budgets.Budgets, "the demo's budgets apply to people")
}
