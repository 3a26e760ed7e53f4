package stackconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// ModelConfig is one model the API serves. Name is what clients send as
// "model"; the model is the API permission modelperm.Permission(Name).
type ModelConfig struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ModelNames returns the declared models' names, in declaration order.
func (c *Config) ModelNames() []string {
	names := make([]string, len(c.Models))
	for i, m := range c.Models {
		names[i] = m.Name
	}
	return names
}

// APIScopes are the scopes of the API as Auth0 holds them: the declared
// scopes, then one per model. Models are scopes so that roles and grants
// can give them and Auth0 puts them in tokens like any other permission.
func (c *Config) APIScopes() []ScopeConfig {
	scopes := slices.Clone(c.API.Scopes)
	for _, m := range c.Models {
		description := m.Description
		if description == "" {
			description = "Call the model " + m.Name
		}
		scopes = append(scopes, ScopeConfig{Name: modelperm.Permission(m.Name), Description: description})
	}
	return scopes
}

// ModelPermissions returns the permission of each named model.
func ModelPermissions(models []string) []string {
	perms := make([]string, len(models))
	for i, m := range models {
		perms[i] = modelperm.Permission(m)
	}
	return perms
}

// Grants are the role's permissions on the API: its scopes, then its models'.
func (r RoleConfig) Grants() []string {
	return append(slices.Clone(r.Permissions), ModelPermissions(r.Models)...)
}

// Grants are the scopes of the client's grant: its scopes, then its models'.
func (c ClientConfig) Grants() []string {
	return append(slices.Clone(c.Scopes), ModelPermissions(c.Models)...)
}

// models checks the declared models, and the models that roles and clients
// name. A model's permission must not also be a declared scope: the API
// would hold it twice, with two descriptions.
func (v *validator) models(c *Config, scopes map[string]bool) {
	names := c.ModelNames()
	for i, m := range c.Models {
		mp := fmt.Sprintf("%s[%s]", KeyModels, label(m.Name, i))
		if err := modelperm.CheckName(m.Name); err != nil {
			v.addf(mp+".name", "%v: use the name clients send as \"model\"", err)
		} else if perm := modelperm.Permission(m.Name); scopes[perm] {
			v.addf(mp+".name", "its permission %q is also declared in %s.scopes; remove that scope: the model declares it", perm, KeyAPI)
		}
		if n := utf8.RuneCountInString(m.Description); n > maxScopeDescriptionLen {
			v.addf(mp+".description", "is %d characters; Auth0 allows at most %d", n, maxScopeDescriptionLen)
		}
	}
	declared := v.unique(KeyModels, "model", names)
	delete(declared, "")
	for i, r := range c.Roles {
		v.modelRefs(fmt.Sprintf("%s[%s].models", KeyRoles, label(r.Name, i)), r.Models, declared)
	}
	for i, cl := range c.Clients {
		v.modelRefs(fmt.Sprintf("%s[%s].models", KeyClients, label(cl.Name, i)), cl.Models, declared)
	}
}

// modelHint says where a model goes when a scope list names its
// permission: the program adds model:NAME itself, from the models lists.
func modelHint(what, name string) string {
	if model, ok := modelperm.Model(name); ok && what == "scope" {
		return fmt.Sprintf("; to give the model %s, list it in models: [%s] instead", model, model)
	}
	return ""
}

// modelRefs reports models that are not declared, with the closest declared
// name (a typo is the likely cause), and models named twice.
func (v *validator) modelRefs(path string, names []string, declared map[string]bool) {
	if len(names) == 0 {
		return
	}
	if len(declared) == 0 {
		v.addf(path, "the stack declares no models; declare them in %s as [{name, description}], or remove this list", KeyModels)
		return
	}
	known := slices.Sorted(maps.Keys(declared))
	for i, n := range names {
		if declared[n] {
			continue
		}
		hint := strictjson.Suggest(n, known)
		if !strings.HasPrefix(hint, "; did you mean") {
			hint = ""
		}
		v.addf(fmt.Sprintf("%s[%d]", path, i), "model %q is not declared in %s%s (declared: %s)", n, KeyModels, hint, strings.Join(known, ", "))
	}
	v.unique(path, "model", names)
}
