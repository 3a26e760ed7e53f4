// Package largetenant generates the configuration of a large tenant for
// benchmarks and plan measurements: 100 organizations of 50 members, 50
// clients, 100 scopes and 10 roles by default.
package largetenant

import (
	"encoding/json"
	"fmt"
)

// Size is the shape of a generated tenant.
type Size struct {
	Organizations, Members, Clients, Scopes, Roles int
}

// Default is the size the benchmarks and the closing notes use.
var Default = Size{Organizations: 100, Members: 50, Clients: 50, Scopes: 100, Roles: 10}

// Resources is how many resources the program registers for this size.
func (s Size) Resources() int {
	// api, scopes, connection and its clients; per organization, itself,
	// its connections, its member list and each member's roles.
	return 4 + 2*s.Roles + s.Organizations*(3+s.Members) + 3*s.Clients
}

// Config returns the stack configuration, keyed as the engine passes it.
func (s Size) Config() map[string]string {
	scopes := make([]any, s.Scopes)
	for i := range scopes {
		scopes[i] = map[string]any{"name": fmt.Sprintf("invoke:model-%03d", i), "description": fmt.Sprintf("Invoke model %d", i)}
	}
	roles := make([]any, s.Roles)
	for i := range roles {
		roles[i] = map[string]any{"name": fmt.Sprintf("role-%02d", i), "permissions": []string{
			fmt.Sprintf("invoke:model-%03d", i%s.Scopes), fmt.Sprintf("invoke:model-%03d", (i+1)%s.Scopes)}}
	}
	orgs := make([]any, s.Organizations)
	for i := range orgs {
		members := make([]any, s.Members)
		for j := range members {
			members[j] = map[string]any{"userId": fmt.Sprintf("auth0|org%03dmember%03d", i, j), "roles": []string{fmt.Sprintf("role-%02d", j%s.Roles)}}
		}
		orgs[i] = map[string]any{"name": fmt.Sprintf("customer-%03d", i), "displayName": fmt.Sprintf("Customer %d", i),
			"branding": map[string]any{"primaryColor": "#0059d6"}, "members": members}
	}
	clients := make([]any, s.Clients)
	for i := range clients {
		clients[i] = map[string]any{"name": fmt.Sprintf("client-%03d", i), "scopes": []string{fmt.Sprintf("invoke:model-%03d", i%s.Scopes)}}
	}
	return map[string]string{
		"auth0:domain":                  "large.us.auth0.com",
		"model-api-auth0:api":           mustJSON(map[string]any{"name": "Large", "identifier": "https://large.example.com/", "scopes": scopes}),
		"model-api-auth0:roles":         mustJSON(roles),
		"model-api-auth0:connection":    `{"name":"large-users"}`,
		"model-api-auth0:organizations": mustJSON(orgs),
		"model-api-auth0:clients":       mustJSON(clients),
	}
}

// StackFile renders the configuration as a Pulumi.<stack>.yaml (JSON is YAML).
func (s Size) StackFile() string {
	cfg := map[string]any{}
	for k, v := range s.Config() {
		var value any
		if json.Unmarshal([]byte(v), &value) != nil {
			value = v
		}
		cfg[k] = value
	}
	return mustJSON(map[string]any{"config": cfg})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
