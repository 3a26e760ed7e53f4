package stackconfig

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// KeyAgentClients declares agents' clients by their Client ID Metadata
// Document (draft-ietf-oauth-client-id-metadata-document): the agent
// publishes its name and redirect URIs at an https URL, which is its
// client_id, and the stack only says which URL and what it may call.
const KeyAgentClients = Namespace + ":agentClients"

// AgentClientConfig is one agent's client (auth0:ClientCimd) and its
// user-type grant on the API.
type AgentClientConfig struct {
	// MetadataURL is the document's URL and the agent's client_id: https,
	// with a path, without a fragment. Auth0 cannot change it once created.
	MetadataURL string `json:"metadataUrl"`
	Description string `json:"description"`
	// AppType is native (default: an agent on someone's machine), spa or
	// regular_web: the types Auth0 allows a CIMD client.
	AppType string `json:"appType"`
	// Scopes and Models are what the agent may ask for on people's behalf
	// (the user-type client grant, as for webApp and cliApp); people still
	// get only what their roles give them.
	Scopes []string `json:"scopes"`
	Models []string `json:"models"`
	// MetadataVersion is Auth0's externalClientIdVersion: raising it makes
	// Auth0 read the document again (a new redirect URI, a new name).
	MetadataVersion *int `json:"metadataVersion"`
	// RequireProofOfPossession makes Auth0 issue the agent DPoP-bound
	// tokens only.
	RequireProofOfPossession bool `json:"requireProofOfPossession"`
}

// DefaultAgentAppType is the app type of an agent's client when the stack
// gives none.
const DefaultAgentAppType = "native"

// agentAppTypes are the types Auth0 accepts for a CIMD client, as the API
// spells them (the schema shows regularWeb; Auth0 takes regular_web).
var agentAppTypes = []string{"native", "spa", "regular_web"}

// Grants are the scopes of the agent's grant: its scopes, then its models'.
func (a AgentClientConfig) Grants() []string {
	return append(slices.Clone(a.Scopes), ModelPermissions(a.Models)...)
}

// ClientIDMetadataDocuments reports whether the stack turns on the tenant's
// clientIdMetadataDocumentSupported: agents may then use their document's
// URL as client_id.
func (c *Config) ClientIDMetadataDocuments() bool {
	return c.Tenant != nil && c.Tenant.ClientIDMetadataDocuments != nil && *c.Tenant.ClientIDMetadataDocuments
}

func (c *Config) applyAgentDefaults() {
	for i := range c.AgentClients {
		if c.AgentClients[i].AppType == "" {
			c.AgentClients[i].AppType = DefaultAgentAppType
		}
	}
}

// agentClients checks the agents' clients. Paths name an agent by index:
// its URL is full of the dots and brackets that paths are made of.
func (v *validator) agentClients(c *Config, scopes map[string]bool) {
	if len(c.AgentClients) > 0 && !c.ClientIDMetadataDocuments() {
		v.addf(KeyAgentClients, "needs the tenant setting: set %s.clientIdMetadataDocuments: true (Auth0's clientIdMetadataDocumentSupported), or Auth0 refuses the clients", KeyTenant)
	}
	models := map[string]bool{}
	for _, m := range c.Models {
		if m.Name != "" {
			models[m.Name] = true
		}
	}
	seen := map[string]int{}
	for i, a := range c.AgentClients {
		ap := fmt.Sprintf("%s[%d]", KeyAgentClients, i)
		if msg := CheckMetadataURL(a.MetadataURL); msg != "" {
			v.addf(ap+".metadataUrl", "%s", msg)
		} else if first, twice := seen[a.MetadataURL]; twice {
			v.addf(ap+".metadataUrl", "%q is also agentClients[%d]: one client per document", a.MetadataURL, first)
		} else {
			seen[a.MetadataURL] = i
		}
		if !slices.Contains(agentAppTypes, a.AppType) {
			v.addf(ap+".appType", "%q: want one of %s (Auth0's values, not regularWeb)", a.AppType, strings.Join(agentAppTypes, ", "))
		}
		if len(a.Scopes) == 0 {
			v.addf(ap+".scopes", "grant at least one scope of %s: the agent's grant names what it may ask for", KeyAPI)
		}
		v.declared(ap+".scopes", "scope", a.Scopes, scopes, KeyAPI+".scopes")
		v.unique(ap+".scopes", "scope", a.Scopes)
		v.modelRefs(ap+".models", a.Models, models)
		if a.MetadataVersion != nil && *a.MetadataVersion < 1 {
			v.addf(ap+".metadataVersion", "is %d; want 1 or more (raise it to have Auth0 read the document again)", *a.MetadataVersion)
		}
		if a.RequireProofOfPossession && (c.API.ProofOfPossession == nil || c.API.ProofOfPossession.Mechanism != PoPMechanismDPoP) {
			v.addf(ap+".requireProofOfPossession", "needs the API's proofOfPossession with mechanism dpop (set %s.proofOfPossession: {mechanism: dpop})", KeyAPI)
		}
	}
}

// CheckMetadataURL returns what is wrong with a Client ID Metadata
// Document URL as the draft (section 3) requires it, or "": https, a host,
// a path other than /, no dot segments, no fragment, no user name or
// password. The dev tenant applies the same rules to the client_id it is sent.
func CheckMetadataURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "required: the https URL of the agent's client metadata document, such as https://agent.example.com/client.json"
	case strings.ContainsAny(raw, " \t\r\n"):
		return fmt.Sprintf("%q contains white space", raw)
	case err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "":
		return fmt.Sprintf("%q is not an absolute URL (want e.g. https://agent.example.com/client.json)", raw)
	case u.Scheme != "https":
		return fmt.Sprintf("%q: want https: the document says where people's login codes may go, so it must come from its owner", raw)
	case u.User != nil:
		return fmt.Sprintf("%q: a user name or password in the URL is refused", raw)
	case strings.Contains(raw, "#"):
		return fmt.Sprintf("%q: a fragment (#...) is refused in a client ID", raw)
	case u.Path == "" || u.Path == "/":
		return fmt.Sprintf("%q: a path is required (the draft's rule), such as %s://%s/client.json", raw, u.Scheme, u.Host)
	case slices.ContainsFunc(strings.Split(u.Path, "/"), func(s string) bool { return s == "." || s == ".." }):
		return fmt.Sprintf("%q: . and .. path segments are refused", raw)
	}
	return ""
}
