package main

// Resources are the Auth0 resources the SDK is generated for: the one list of
// what the program may register. The SDK also keeps the provider (its config
// and its terraformConfig method) and every object type these reference.
// Adding a resource here and running `go generate` is how the program gets a
// new resource type.
var Resources = []string{
	// The tenant as code today.
	"auth0:index/client:Client",
	"auth0:index/clientCredentials:ClientCredentials",
	"auth0:index/clientGrant:ClientGrant",
	"auth0:index/connection:Connection",
	"auth0:index/organization:Organization",
	"auth0:index/organizationConnections:OrganizationConnections",
	"auth0:index/organizationMemberRoles:OrganizationMemberRoles",
	"auth0:index/organizationMembers:OrganizationMembers",
	"auth0:index/resourceServer:ResourceServer",
	"auth0:index/resourceServerScopes:ResourceServerScopes",
	"auth0:index/role:Role",
	"auth0:index/rolePermissions:RolePermissions",
	"auth0:index/user:User",

	// What the next issues need: enabling a connection for a web app's
	// client, organization-scoped client grants, one-membership-per-resource
	// members and member roles, and the tenant's resource parameter profile.
	"auth0:index/connectionClients:ConnectionClients",
	"auth0:index/organizationClientGrant:OrganizationClientGrant",
	"auth0:index/organizationMember:OrganizationMember",
	"auth0:index/organizationMemberRole:OrganizationMemberRole",
	"auth0:index/tenant:Tenant",

	// Agents' clients declared by their Client ID Metadata Document (the
	// MCP authorization spec's preferred registration).
	"auth0:index/clientCimd:ClientCimd",
}
