package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A required proofOfPossession and a client's requireProofOfPossession
// reach Auth0's inputs as its API values (snake_case requiredFor).
func TestProofOfPossessionInPlan(t *testing.T) {
	doc := stackPlan(t, "dev", func(raw map[string]string) {
		// The dev stack's API as it is, with a required proofOfPossession.
		var api map[string]any
		if err := json.Unmarshal([]byte(raw["model-api-auth0:api"]), &api); err != nil {
			t.Fatal(err)
		}
		api["proofOfPossession"] = map[string]any{"required": true, "requiredFor": "public_clients"}
		b, err := json.Marshal(api)
		if err != nil {
			t.Fatal(err)
		}
		raw["model-api-auth0:api"] = string(b)
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
