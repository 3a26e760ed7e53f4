// Package auth0 is a small typed layer over the Auth0 Pulumi provider
// (pulumi-auth0, plugin v3.49.0) for the resources this project declares.
//
// The generated SDK, github.com/pulumi/pulumi-auth0/sdk/v3, cannot be fetched
// where this project is built, so this package registers the provider's real
// type tokens and property names through ctx.RegisterResource. Its names
// mirror the SDK's (NewResourceServer, ResourceServerArgs, ...) so that moving
// to the SDK is a change of import path. Only the fields the program uses are
// declared; the schema conformance test checks each of them against the
// provider schema.
package auth0

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ProviderVersion is the Auth0 provider plugin version this layer is written
// against. Every resource pins it, so `pulumi plugin install resource auth0
// 3.49.0` is the plugin a deployment needs.
const ProviderVersion = "3.49.0"

// ErrMissingRequiredArgument is returned when a required input of a resource
// is nil, as the generated SDK does.
var ErrMissingRequiredArgument = errors.New("missing required argument")

// Tokens maps each resource type of this layer to the provider's type token.
var Tokens = map[reflect.Type]string{
	reflect.TypeFor[Client]():                  "auth0:index/client:Client",
	reflect.TypeFor[ClientCredentials]():       "auth0:index/clientCredentials:ClientCredentials",
	reflect.TypeFor[ClientGrant]():             "auth0:index/clientGrant:ClientGrant",
	reflect.TypeFor[Connection]():              "auth0:index/connection:Connection",
	reflect.TypeFor[Organization]():            "auth0:index/organization:Organization",
	reflect.TypeFor[OrganizationConnections](): "auth0:index/organizationConnections:OrganizationConnections",
	reflect.TypeFor[OrganizationMemberRoles](): "auth0:index/organizationMemberRoles:OrganizationMemberRoles",
	reflect.TypeFor[OrganizationMembers]():     "auth0:index/organizationMembers:OrganizationMembers",
	reflect.TypeFor[ResourceServer]():          "auth0:index/resourceServer:ResourceServer",
	reflect.TypeFor[ResourceServerScopes]():    "auth0:index/resourceServerScopes:ResourceServerScopes",
	reflect.TypeFor[Role]():                    "auth0:index/role:Role",
	reflect.TypeFor[RolePermissions]():         "auth0:index/rolePermissions:RolePermissions",
	reflect.TypeFor[User]():                    "auth0:index/user:User",
}

// register pins the provider version and registers a custom resource under
// its type's token.
func register(ctx *pulumi.Context, name string, args pulumi.Input, res pulumi.CustomResource, opts []pulumi.ResourceOption) error {
	opts = append(opts, pulumi.Version(ProviderVersion))
	return ctx.RegisterResource(Tokens[reflect.TypeOf(res).Elem()], name, args, res, opts...)
}

// missing is the error for a nil required input, in the SDK's wording.
func missing(resource, field string) error {
	return fmt.Errorf("%s: %w '%s'", resource, ErrMissingRequiredArgument, field)
}

// array is an input list of nested objects whose plain element type is T.
// The provider SDK generates one such type per object; a generic one keeps
// this layer short while the exported names stay the SDK's.
type array[T any] []pulumi.Input

func (array[T]) ElementType() reflect.Type { return reflect.TypeFor[[]T]() }
