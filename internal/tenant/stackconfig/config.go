// Package stackconfig is the stack file: Read returns the configuration of
// Pulumi.yaml and Pulumi.<stack>.yaml as the Pulumi engine hands it to the
// program, and Load decodes it strictly into a Config, applies defaults and
// validates it, reporting every problem at once.
//
// It does not link the Pulumi SDK: the gateway's -dev tenant and
// cmd/devtenant read stack files with it, and stay small. The program that
// turns a Config into resources is package main at the root.
package stackconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
)

// Namespace is the Pulumi project name and so the prefix of its config keys.
const Namespace = "model-api-auth0"

// Config keys of the program, as they are written in Pulumi.<stack>.yaml.
const (
	KeyAPI              = Namespace + ":api"
	KeyRoles            = Namespace + ":roles"
	KeyConnection       = Namespace + ":connection"
	KeyOrganizations    = Namespace + ":organizations"
	KeyClients          = Namespace + ":clients"
	KeyTestUsers        = Namespace + ":testUsers"
	KeyTestUserPassword = Namespace + ":testUserPassword"
	KeyProtect          = Namespace + ":protect"
	KeyWebApp           = Namespace + ":webApp"
	KeyCLIApp           = Namespace + ":cliApp"
	KeyTenant           = Namespace + ":tenant"
	KeyModels           = Namespace + ":models"
	KeyDomain           = "auth0:domain"
)

// SecretKeys are the keys whose values must be set with `pulumi config set
// --secret`: they never appear in plain text.
var SecretKeys = []string{KeyTestUserPassword}

var (
	// ErrInvalidConfig wraps every configuration problem; the error lists
	// each one with the key path it is found at.
	ErrInvalidConfig = errors.New("invalid stack configuration")
)

// Config is the whole declaration of one stack's tenant.
type Config struct {
	// Domain is the tenant's domain, from auth0:domain or AUTH0_DOMAIN.
	Domain           string
	API              APIConfig
	Roles            []RoleConfig
	Connection       ConnectionConfig
	Organizations    []OrganizationConfig
	Clients          []ClientConfig
	TestUsers        []TestUserConfig
	TestUserPassword string
	// Protect marks the API, the connection and the organizations protected,
	// and keeps the connection (and its users) in Auth0 if it is ever deleted
	// from the program.
	Protect bool
	// WebApp and CLIApp are the applications people log in through; nil
	// when the stack declares none.
	WebApp *AppConfig
	CLIApp *AppConfig
	// Tenant is the tenant-wide settings; nil when the stack sets none.
	Tenant *TenantConfig
	// Models are the models the API serves; each is a permission of the
	// API (modelperm), given by roles' and clients' models.
	Models []ModelConfig
}

// APIConfig declares the API (resource server) that model clients call.
type APIConfig struct {
	Name                string        `json:"name"`
	Identifier          string        `json:"identifier"`
	SigningAlg          string        `json:"signingAlg"`
	TokenLifetime       *int          `json:"tokenLifetime"`
	TokenLifetimeForWeb *int          `json:"tokenLifetimeForWeb"`
	AllowOfflineAccess  bool          `json:"allowOfflineAccess"`
	Scopes              []ScopeConfig `json:"scopes"`
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
}

// TestUserConfig is a user this stack creates in the connection, so that a
// dev stack works on an empty tenant. Its password is testUserPassword.
type TestUserConfig struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// MissingSecrets lists the secret keys raw needs but does not set: those
// that `pulumi config set --secret` must provide before `pulumi up`. An empty
// value is not set: Pulumi.yaml gives testUserPassword the default "" so that
// stacks without test users need not set it.
func MissingSecrets(raw map[string]string) []string {
	users := raw[KeyTestUsers]
	if raw[KeyTestUserPassword] == "" && strings.TrimSpace(users) != "" && strings.TrimSpace(users) != "[]" {
		return []string{KeyTestUserPassword}
	}
	return nil
}

// field binds a config key to where its value goes.
type field struct {
	key    string
	decode func(raw string) []strictjson.Problem
}

// Load decodes a stack's raw configuration (the key/value pairs the
// Pulumi engine hands the program) strictly, applies defaults and validates
// it. lookupEnv supplies AUTH0_DOMAIN when auth0:domain is not set; it may be
// nil. Every problem is reported at once, wrapped in ErrInvalidConfig.
func Load(raw map[string]string, lookupEnv func(string) (string, bool)) (*Config, error) {
	cfg := &Config{}
	fields := cfg.fields()
	var problems []strictjson.Problem
	var unread []string // paths whose value could not be read: not validated further
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.key
		if value, ok := raw[f.key]; ok {
			for _, p := range f.decode(value) {
				problems = append(problems, p)
				if p.Unread {
					unread = append(unread, p.Path)
				}
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if strings.HasPrefix(key, Namespace+":") && !slices.Contains(known, key) {
			problems = append(problems, strictjson.Problem{Path: key, Message: "unknown key" + strictjson.Suggest(key, known)})
		}
	}
	cfg.Domain = raw[KeyDomain]
	if cfg.Domain == "" && lookupEnv != nil {
		cfg.Domain, _ = lookupEnv("AUTH0_DOMAIN")
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			for _, p := range verr.Problems {
				if !slices.ContainsFunc(unread, func(u string) bool { return within(p.Path, u) }) {
					problems = append(problems, p)
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return cfg, nil
}

// fields lists every config key of the namespace and where it is decoded to.
func (cfg *Config) fields() []field {
	return []field{
		{KeyAPI, structured(KeyAPI, &cfg.API)},
		{KeyRoles, structured(KeyRoles, &cfg.Roles)},
		{KeyConnection, structured(KeyConnection, &cfg.Connection)},
		{KeyOrganizations, structured(KeyOrganizations, &cfg.Organizations)},
		{KeyClients, structured(KeyClients, &cfg.Clients)},
		{KeyTestUsers, structured(KeyTestUsers, &cfg.TestUsers)},
		{KeyTestUserPassword, func(s string) []strictjson.Problem { cfg.TestUserPassword = s; return nil }},
		{KeyProtect, boolean(KeyProtect, &cfg.Protect)},
		{KeyWebApp, structured(KeyWebApp, &cfg.WebApp)},
		{KeyCLIApp, structured(KeyCLIApp, &cfg.CLIApp)},
		{KeyTenant, structured(KeyTenant, &cfg.Tenant)},
		{KeyModels, structured(KeyModels, &cfg.Models)},
	}
}

// ConfigKeys returns every key of the program's namespace.
func ConfigKeys() []string {
	var keys []string
	for _, f := range new(Config).fields() {
		keys = append(keys, f.key)
	}
	return keys
}

func structured(key string, into any) func(string) []strictjson.Problem {
	return func(raw string) []strictjson.Problem { return strictjson.Decode(key, raw, into) }
}

func boolean(key string, into *bool) func(string) []strictjson.Problem {
	return func(raw string) []strictjson.Problem {
		v, ok := strictjson.ParseBool(raw)
		if !ok {
			return []strictjson.Problem{{Path: key, Message: fmt.Sprintf("want true or false, got %q", raw), Unread: true}}
		}
		*into = v
		return nil
	}
}

func (c *Config) applyDefaults() {
	if c.API.SigningAlg == "" {
		c.API.SigningAlg = DefaultSigningAlg
	}
	if c.API.TokenLifetime == nil {
		c.API.TokenLifetime = ptr(DefaultTokenLifetime)
	}
	if c.API.TokenLifetimeForWeb == nil {
		c.API.TokenLifetimeForWeb = ptr(min(DefaultTokenLifetimeForWeb, *c.API.TokenLifetime))
	}
	if c.Connection.PasswordPolicy == "" {
		c.Connection.PasswordPolicy = "good"
	}
	if c.Connection.DisableSignup == nil {
		c.Connection.DisableSignup = ptr(true)
	}
	if c.Connection.BruteForceProtection == nil {
		c.Connection.BruteForceProtection = ptr(true)
	}
	for i := range c.Clients {
		if c.Clients[i].OrganizationUsage == "" {
			c.Clients[i].OrganizationUsage = "deny"
		}
	}
	if !c.WebApp.declared() {
		c.WebApp = nil
	} else {
		c.WebApp.applyDefaults(DefaultWebAppName, c.API)
	}
	if !c.CLIApp.declared() {
		c.CLIApp = nil
	} else {
		c.CLIApp.applyDefaults(DefaultCLIAppName, c.API)
	}
	if !c.Tenant.declared() {
		c.Tenant = nil
	}
}

func ptr[T any](v T) *T { return &v }
