package stackoutputs

// The names of the stack outputs: the program exports under them, the dev
// tenant writes them (through Outputs), and `pulumi stack output --json`
// gives them as the keys every gateway and token client reads. Outputs'
// JSON tags are these names (TestNamesAreTheJSONTags): a rename here is a
// change of that file's format, for every deployed reader.
const (
	KeyAudience      = "audience"
	KeySigningAlg    = "signingAlg"
	KeyIssuer        = "issuer"
	KeyJWKSURI       = "jwksUri"
	KeyTokenEndpoint = "tokenEndpoint"
	KeyTenantDomain  = "tenantDomain"
	KeyAPIID         = "apiId"
	KeyConnectionID  = "connectionId"
	KeyRoleIDs       = "roleIds"
	KeyOrganizations = "organizations"
	KeyClients       = "clients"
	KeyWebApp        = "webApp"
	KeyCLIApp        = "cliApp"
	KeyClientSecrets = "clientSecrets"
	KeyModels        = "models"
)

// The names of the fields of an M2M client (Client) and of an application
// people log in through (App).
const (
	KeyName                        = "name"
	KeyClientID                    = "clientId"
	KeyGrantID                     = "grantId"
	KeyCallbacks                   = "callbacks"
	KeyLogoutURLs                  = "logoutUrls"
	KeyOrganizationUsage           = "organizationUsage"
	KeyOrganizationRequireBehavior = "organizationRequireBehavior"
	KeyScopes                      = "scopes"
	KeyAllowAnyOrganization        = "allowAnyOrganization"
	// KeyClientOrganizations is a client's list of the organization names
	// it is linked to; the same word as the top-level KeyOrganizations,
	// which maps names to IDs.
	KeyClientOrganizations = "organizations"
)
