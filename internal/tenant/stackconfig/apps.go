package stackconfig

// AppConfig declares an application people log in through: the regular web
// application (model-api-auth0:webApp, the gateway's login) or the native
// client (model-api-auth0:cliApp, the command line). An empty object, the
// default of both keys in Pulumi.yaml, declares none.
type AppConfig struct {
	// Name is the application's name in Auth0 and its key in the
	// clientSecrets output; it must differ from every M2M client's.
	Name        string `json:"name"`
	Description string `json:"description"`
	// Callbacks are the redirect URIs Auth0 may send a login's code to,
	// matched exactly; LogoutURLs where it may return after logout.
	Callbacks  []string `json:"callbacks"`
	LogoutURLs []string `json:"logoutUrls"`
	// OrganizationUsage is deny, allow or require (default); with require,
	// OrganizationRequireBehavior says how a person picks the organization:
	// no_prompt (the application sends it), pre_login_prompt or
	// post_login_prompt (default).
	OrganizationUsage           string `json:"organizationUsage"`
	OrganizationRequireBehavior string `json:"organizationRequireBehavior"`
	// Scopes are what the application may ask for on people's behalf (the
	// user-type client grant); default every scope of the API.
	Scopes []string `json:"scopes"`
}

// Defaults of AppConfig.
const (
	DefaultWebAppName                  = "gateway"
	DefaultCLIAppName                  = "cli"
	DefaultAppOrganizationUsage        = "require"
	DefaultOrganizationRequireBehavior = "post_login_prompt"
)

// declared reports whether the object sets anything: `{}` declares no
// application, so that the key can default to it in Pulumi.yaml without
// the CLI requiring it in every stack.
func (a *AppConfig) declared() bool {
	return a != nil && (a.Name != "" || a.Description != "" || a.Callbacks != nil || a.LogoutURLs != nil ||
		a.OrganizationUsage != "" || a.OrganizationRequireBehavior != "" || a.Scopes != nil)
}

func (a *AppConfig) applyDefaults(name string, api APIConfig) {
	if a.Name == "" {
		a.Name = name
	}
	if a.OrganizationUsage == "" {
		a.OrganizationUsage = DefaultAppOrganizationUsage
	}
	// The behavior only means something when an organization is required:
	// it is left unset otherwise, and refused if the stack sets it.
	if a.OrganizationRequireBehavior == "" && a.OrganizationUsage == "require" {
		a.OrganizationRequireBehavior = DefaultOrganizationRequireBehavior
	}
	if a.Scopes == nil {
		for _, s := range api.Scopes {
			a.Scopes = append(a.Scopes, s.Name)
		}
	}
}

// TenantConfig declares tenant-wide settings (the Tenant resource). An empty
// object, the default, leaves the tenant's settings alone.
type TenantConfig struct {
	// ResourceParameterProfile is audience (Auth0's default) or
	// compatibility: the token and authorize endpoints then also take the
	// RFC 8707 resource parameter, as MCP clients send it, when no audience
	// is given.
	ResourceParameterProfile string `json:"resourceParameterProfile"`
	// EnableClientConnections false stops Auth0 from enabling every
	// connection for each new application, which ConnectionClients would
	// otherwise find on the connection and refuse to take over.
	EnableClientConnections *bool `json:"enableClientConnections"`
	// DefaultTokenQuota limits the M2M tokens of every client and
	// organization that sets no tokenQuota of its own.
	DefaultTokenQuota *DefaultTokenQuotaConfig `json:"defaultTokenQuota"`
	// ClientIDMetadataDocuments is Auth0's clientIdMetadataDocumentSupported:
	// an agent may use the https URL of its metadata document as client_id
	// (agents.go). Needed by agentClients.
	ClientIDMetadataDocuments *bool `json:"clientIdMetadataDocuments"`
}

func (t *TenantConfig) declared() bool {
	return t != nil && (t.ResourceParameterProfile != "" || t.EnableClientConnections != nil || t.DefaultTokenQuota != nil ||
		t.ClientIDMetadataDocuments != nil)
}

// Allowed values, as the provider schema describes them (snake_case, as
// Auth0 takes them: see the schema README's enum trap).
var (
	organizationRequireBehaviors = []string{"no_prompt", "pre_login_prompt", "post_login_prompt"}
	resourceParameterProfiles    = []string{"audience", "compatibility"}
)
