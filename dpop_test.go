package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A required proofOfPossession and a client's requireProofOfPossession
// reach Auth0's inputs as its API values (snake_case requiredFor).
func TestProofOfPossessionInPlan(t *testing.T) {
	doc := stackPlan(t, "dev", func(raw map[string]string) {
		raw["model-api-auth0:api"] = `{"name":"Model API (dev)","identifier":"https://api.dev.models.example.com/","scopes":[{"name":"read:models"},{"name":"invoke:models"},{"name":"read:admin-messages"}],` +
			`"proofOfPossession":{"required":true,"requiredFor":"public_clients"}}`
		raw["model-api-auth0:clients"] = `[{"name":"batch-scorer","scopes":["invoke:models"],"requireProofOfPossession":true},{"name":"model-catalog","scopes":["read:models"]}]`
	})
	var api map[string]any
	clients := map[string]any{}
	for _, r := range doc.Resources {
		switch {
		case r.Type == "auth0:index/resourceServer:ResourceServer":
			api = r.Inputs
		case r.Type == "auth0:index/client:Client":
			clients[r.Inputs["name"].(string)] = r.Inputs["requireProofOfPossession"]
		}
	}
	assert.Equal(t, map[string]any{"mechanism": "dpop", "required": true, "requiredFor": "public_clients"}, api["proofOfPossession"])
	assert.Equal(t, true, clients["batch-scorer"])
	assert.Nil(t, clients["model-catalog"], "unset, not false")
}
