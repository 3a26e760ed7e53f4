package main

import (
	"strings"
	"sync"

	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// API is the model API as Auth0 knows it: the resource server, its scopes,
// and the RBAC roles that grant those scopes as permissions.
type API struct {
	Server *auth0.ResourceServer
	Scopes *auth0.ResourceServerScopes
	Roles  map[string]*Role
	// ModelPermissions are the permissions of every declared model.
	ModelPermissions []string

	mu       sync.Mutex // organizations are declared concurrently
	roleSets map[string]pulumi.StringArrayOutput
}

// Role is one RBAC role and its permissions on the API.
type Role struct {
	Role        *auth0.Role
	ID          pulumi.StringOutput // the role's ID, converted once for every reference
	Permissions *auth0.RolePermissions
}

// newAPI declares the resource server. Access tokens are signed with RS256
// (or PS256) so that any service can verify them with the tenant's public
// keys, and carry a permissions claim (token dialect access_token_authz) so
// that RBAC needs no call to Auth0 at request time.
func newAPI(ctx *pulumi.Context, cfg *Config) (*API, error) {
	a := cfg.API
	server, err := auth0.NewResourceServer(ctx, "api", &auth0.ResourceServerArgs{
		Name:                pulumi.String(a.Name),
		Identifier:          pulumi.String(a.Identifier),
		SigningAlg:          pulumi.String(a.SigningAlg),
		TokenLifetime:       pulumi.Int(*a.TokenLifetime),
		TokenLifetimeForWeb: pulumi.Int(*a.TokenLifetimeForWeb),
		AllowOfflineAccess:  pulumi.Bool(a.AllowOfflineAccess),
		ProofOfPossession:   proofOfPossession(a.ProofOfPossession),
		EnforcePolicies:     pulumi.Bool(true),
		TokenDialect:        pulumi.String("access_token_authz"),
		SkipConsentForVerifiableFirstPartyClients: pulumi.Bool(true),
		// Least privilege for people as for machines: an application gets
		// tokens for the API only through a grant the stack declares, a
		// user-type grant (web app, CLI) for people's tokens and a client
		// grant for client credentials. deny_all would be tighter for
		// machines, but would refuse every M2M client.
		SubjectTypeAuthorization: &auth0.ResourceServerSubjectTypeAuthorizationArgs{
			User:   &auth0.ResourceServerSubjectTypeAuthorizationUserArgs{Policy: pulumi.String("require_client_grant")},
			Client: &auth0.ResourceServerSubjectTypeAuthorizationClientArgs{Policy: pulumi.String("require_client_grant")},
		},
	}, pulumi.Protect(cfg.Protect))
	if err != nil {
		return nil, err
	}

	// One authoritative scopes resource: scopes set on the server itself would
	// fight with it on every update. It holds the models too (model:NAME).
	all := cfg.APIScopes()
	scopes := make(auth0.ResourceServerScopesScopeArray, len(all))
	for i, s := range all {
		scopes[i] = auth0.ResourceServerScopesScopeArgs{Name: pulumi.String(s.Name), Description: optionalString(s.Description)}
	}
	scopeSet, err := auth0.NewResourceServerScopes(ctx, "api-scopes", &auth0.ResourceServerScopesArgs{
		ResourceServerIdentifier: server.Identifier,
		Scopes:                   scopes,
	}, pulumi.Parent(server))
	if err != nil {
		return nil, err
	}

	api := &API{Server: server, Scopes: scopeSet, Roles: map[string]*Role{}, roleSets: map[string]pulumi.StringArrayOutput{},
		ModelPermissions: stackconfig.ModelPermissions(cfg.ModelNames())}
	for _, r := range cfg.Roles {
		role, err := auth0.NewRole(ctx, "role-"+r.Name, &auth0.RoleArgs{
			Name:        pulumi.String(r.Name),
			Description: optionalString(r.Description),
		}, pulumi.Protect(cfg.Protect))
		if err != nil {
			return nil, err
		}
		roleID := role.ID().ToStringOutput()
		grants := r.Grants() // its scopes and its models'
		perms := make(auth0.RolePermissionsPermissionArray, len(grants))
		for i, p := range grants {
			perms[i] = auth0.RolePermissionsPermissionArgs{Name: pulumi.String(p), ResourceServerIdentifier: server.Identifier}
		}
		// A permission can only be assigned once the API declares the scope.
		rolePerms, err := auth0.NewRolePermissions(ctx, "role-"+r.Name+"-permissions", &auth0.RolePermissionsArgs{
			RoleId:      roleID,
			Permissions: perms,
		}, pulumi.Parent(role), pulumi.DependsOn([]pulumi.Resource{scopeSet}))
		if err != nil {
			return nil, err
		}
		api.Roles[r.Name] = &Role{Role: role, ID: roleID, Permissions: rolePerms}
	}
	return api, nil
}

// RoleIDs returns the IDs of the named roles, in order. Members mostly share
// a few role sets, so each distinct set is built once and shared.
func (a *API) RoleIDs(names []string) pulumi.StringArrayOutput {
	key := strings.Join(names, "\n")
	a.mu.Lock()
	defer a.mu.Unlock()
	ids, ok := a.roleSets[key]
	if !ok {
		list := make(pulumi.StringArray, len(names))
		for i, name := range names {
			list[i] = a.Roles[name].ID
		}
		ids = list.ToStringArrayOutput()
		a.roleSets[key] = ids
	}
	return ids
}

// optionalString leaves an empty config string unset rather than sending "".
func optionalString(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// optionalBool is unset for nil, so that a stack that does not set a flag
// leaves the tenant's value alone.
func optionalBool(b *bool) pulumi.BoolPtrInput {
	if b == nil {
		return nil
	}
	return pulumi.Bool(*b)
}
