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
	// MCP says agents are expected (mcp.go); nil when the stack declares none.
	MCP *MCPConfig
	// AgentClients are agents' clients, declared by their Client ID
	// Metadata Document (agents.go).
	AgentClients []AgentClientConfig
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
		{KeyMCP, structured(KeyMCP, &cfg.MCP)},
		{KeyAgentClients, structured(KeyAgentClients, &cfg.AgentClients)},
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
	c.API.ProofOfPossession.applyDefaults()
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
	c.applyAgentDefaults()
	if !c.Tenant.declared() {
		c.Tenant = nil
	}
	if !c.MCP.declared() {
		c.MCP = nil
	}
}

func ptr[T any](v T) *T { return &v }
