package auth0double

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Resource is one resource the double holds, as the tenant would.
type Resource struct {
	ID      string
	URN     string
	Type    string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap
}

// assigned are the outputs Auth0 assigns when the program does not set
// them, by type token; the rest of the outputs echo the inputs.
var assigned = map[string]map[string]func() string{
	"auth0:index/client:Client":                       {"clientId": func() string { return token(16) }},
	"auth0:index/clientCredentials:ClientCredentials": {"clientSecret": func() string { return secretToken() }},
	"auth0:index/user:User":                           {"userId": func() string { return "auth0|" + token(12) }},
}

// idFrom names the output a type's ID is, where Auth0 uses one; other
// types get a prefixed random ID.
var idFrom = map[string]string{
	"auth0:index/client:Client": "clientId",
	"auth0:index/user:User":     "userId",
}

var idPrefix = map[string]string{
	"auth0:index/connection:Connection":     "con_",
	"auth0:index/organization:Organization": "org_",
	"auth0:index/role:Role":                 "rol_",
	"auth0:index/clientGrant:ClientGrant":   "cgr_",
}

// outputs computes a resource's outputs from its inputs: the inputs, the
// values Auth0 assigned before (kept across updates), new assigned values
// (unknown in a preview), and every property the schema marks secret
// wrapped as a secret.
func (p *Provider) outputs(typ string, inputs, before resource.PropertyMap, preview bool) resource.PropertyMap {
	out := inputs.Copy()
	for key, gen := range assigned[typ] {
		k := resource.PropertyKey(key)
		switch {
		case out.HasValue(k):
		case before.HasValue(k):
			out[k] = before[k]
		case preview:
			out[k] = resource.MakeComputed(resource.NewProperty(""))
		default:
			v := gen()
			if p.isSecret(typ, key) {
				p.secrets = append(p.secrets, v)
			}
			out[k] = resource.NewProperty(v)
		}
	}
	for k, v := range out {
		if p.isSecret(typ, string(k)) && !v.IsSecret() && !v.IsComputed() {
			out[k] = resource.MakeSecret(v)
		}
	}
	return out
}

func (p *Provider) isSecret(typ, key string) bool {
	r, ok := p.schema.Resources[typ]
	return ok && r.Outputs[key] != nil && r.Outputs[key].Secret
}

// newID returns the ID of a created resource with the given outputs.
func newID(typ string, outputs resource.PropertyMap) string {
	if key, ok := idFrom[typ]; ok {
		if v := outputs[resource.PropertyKey(key)]; v.IsString() {
			return v.StringValue()
		}
	}
	prefix, ok := idPrefix[typ]
	if !ok {
		name := typ[strings.LastIndex(typ, ":")+1:]
		prefix = strings.ToLower(name[:min(3, len(name))]) + "_"
	}
	return prefix + token(8)
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// secretToken is a client secret shaped like Auth0's: 64 URL-safe characters.
func secretToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
