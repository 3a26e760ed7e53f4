package stackconfig

// The elements of a stack's configuration, as the stack file declares them.

// APIConfig declares the API (resource server) that model clients call.
type APIConfig struct {
	Name                string        `json:"name"`
	Identifier          string        `json:"identifier"`
	SigningAlg          string        `json:"signingAlg"`
	TokenLifetime       *int          `json:"tokenLifetime"`
	TokenLifetimeForWeb *int          `json:"tokenLifetimeForWeb"`
	AllowOfflineAccess  bool          `json:"allowOfflineAccess"`
	Scopes              []ScopeConfig `json:"scopes"`
	// ProofOfPossession binds tokens to the clients' keys (DPoP, dpop.go).
	ProofOfPossession *ProofOfPossessionConfig `json:"proofOfPossession"`
}

// Defaults of APIConfig: Auth0's own defaults for a new API.
const (
	DefaultSigningAlg          = "RS256"
	DefaultTokenLifetime       = 86400
	DefaultTokenLifetimeForWeb = 7200
)

// ScopeConfig is one scope of the API; the same names are RBAC permissions.
type ScopeConfig struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// RoleConfig is an RBAC role and the scopes it grants as permissions.
type RoleConfig struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	// Models are the declared models the role may call (see Grants).
	Models []string `json:"models"`
}

// ConnectionConfig is the database connection that holds the organizations' users.
type ConnectionConfig struct {
	Name           string `json:"name"`
	PasswordPolicy string `json:"passwordPolicy"`
	// DisableSignup defaults to true: members are invited or created, not self-registered.
	DisableSignup        *bool `json:"disableSignup"`
	BruteForceProtection *bool `json:"bruteForceProtection"`
}

// OrganizationConfig is one customer or team.
type OrganizationConfig struct {
	Name                    string            `json:"name"`
	DisplayName             string            `json:"displayName"`
	Branding                *BrandingConfig   `json:"branding"`
	AssignMembershipOnLogin bool              `json:"assignMembershipOnLogin"`
	Connections             []string          `json:"connections"`
	Members                 []MemberConfig    `json:"members"`
	Metadata                map[string]string `json:"metadata"`
	// TokenQuota limits the M2M tokens Auth0 issues for the organization.
	TokenQuota *TokenQuotaConfig `json:"tokenQuota"`
}

// BrandingConfig is an organization's login page branding.
type BrandingConfig struct {
	LogoURL        string `json:"logoUrl"`
	PrimaryColor   string `json:"primaryColor"`
	PageBackground string `json:"pageBackground"`
}

// MemberConfig is a member of an organization: an existing user by ID, or a
// test user of this stack by email.
type MemberConfig struct {
	UserID string   `json:"userId"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
}

// Key is how the member is named in paths and logical resource names.
func (m MemberConfig) Key() string {
	if m.UserID != "" {
		return m.UserID
	}
	return m.Email
}

// ClientConfig is a machine-to-machine client and the scopes it is granted.
type ClientConfig struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Scopes      []string `json:"scopes"`
	// OrganizationUsage is the grant's: deny (default), allow or require.
	OrganizationUsage    string `json:"organizationUsage"`
	AllowAnyOrganization bool   `json:"allowAnyOrganization"`
	// Organizations are the organizations (by name) the client may get
	// tokens for when its grant allows or requires one and does not allow
	// any organization.
	Organizations []string `json:"organizations"`
	// Models are the declared models the client may call (see Grants).
	Models []string `json:"models"`
	// TokenQuota limits the tokens Auth0 issues to the client.
	TokenQuota *TokenQuotaConfig `json:"tokenQuota"`
	// RequireProofOfPossession makes Auth0 issue the client DPoP-bound
	// tokens only: a request without a DPoP proof is refused.
	RequireProofOfPossession bool `json:"requireProofOfPossession"`
}

// TestUserConfig is a user this stack creates in the connection, so that a
// dev stack works on an empty tenant. Its password is testUserPassword.
type TestUserConfig struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}
