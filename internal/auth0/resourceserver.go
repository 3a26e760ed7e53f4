package auth0

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ResourceServer is an Auth0 API: the audience of the access tokens it issues.
type ResourceServer struct {
	pulumi.CustomResourceState

	Identifier pulumi.StringOutput `pulumi:"identifier"`
	Name       pulumi.StringOutput `pulumi:"name"`
	SigningAlg pulumi.StringOutput `pulumi:"signingAlg"`
}

// ResourceServerArgs are the inputs of a ResourceServer.
type ResourceServerArgs struct {
	AllowOfflineAccess                        pulumi.BoolPtrInput
	EnforcePolicies                           pulumi.BoolPtrInput
	Identifier                                pulumi.StringInput
	Name                                      pulumi.StringPtrInput
	SigningAlg                                pulumi.StringPtrInput
	SkipConsentForVerifiableFirstPartyClients pulumi.BoolPtrInput
	TokenDialect                              pulumi.StringPtrInput
	TokenLifetime                             pulumi.IntPtrInput
	TokenLifetimeForWeb                       pulumi.IntPtrInput
}

type resourceServerArgs struct {
	AllowOfflineAccess                        *bool   `pulumi:"allowOfflineAccess"`
	EnforcePolicies                           *bool   `pulumi:"enforcePolicies"`
	Identifier                                string  `pulumi:"identifier"`
	Name                                      *string `pulumi:"name"`
	SigningAlg                                *string `pulumi:"signingAlg"`
	SkipConsentForVerifiableFirstPartyClients *bool   `pulumi:"skipConsentForVerifiableFirstPartyClients"`
	TokenDialect                              *string `pulumi:"tokenDialect"`
	TokenLifetime                             *int    `pulumi:"tokenLifetime"`
	TokenLifetimeForWeb                       *int    `pulumi:"tokenLifetimeForWeb"`
}

func (ResourceServerArgs) ElementType() reflect.Type { return reflect.TypeFor[resourceServerArgs]() }

// NewResourceServer registers an Auth0 API.
func NewResourceServer(ctx *pulumi.Context, name string, args *ResourceServerArgs, opts ...pulumi.ResourceOption) (*ResourceServer, error) {
	if args == nil || args.Identifier == nil {
		return nil, missing("ResourceServer", "Identifier")
	}
	var r ResourceServer
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// ResourceServerScopes is the authoritative list of an API's scopes.
type ResourceServerScopes struct {
	pulumi.CustomResourceState

	ResourceServerIdentifier pulumi.StringOutput `pulumi:"resourceServerIdentifier"`
}

// ResourceServerScopesArgs are the inputs of ResourceServerScopes.
type ResourceServerScopesArgs struct {
	ResourceServerIdentifier pulumi.StringInput
	Scopes                   ResourceServerScopesScopeArrayInput
}

type resourceServerScopesArgs struct {
	ResourceServerIdentifier string                      `pulumi:"resourceServerIdentifier"`
	Scopes                   []ResourceServerScopesScope `pulumi:"scopes"`
}

func (ResourceServerScopesArgs) ElementType() reflect.Type {
	return reflect.TypeFor[resourceServerScopesArgs]()
}

// ResourceServerScopesScope is one scope (permission) of an API.
type ResourceServerScopesScope struct {
	Description *string `pulumi:"description"`
	Name        string  `pulumi:"name"`
}

// ResourceServerScopesScopeArgs is the input form of ResourceServerScopesScope.
type ResourceServerScopesScopeArgs struct {
	Description pulumi.StringPtrInput
	Name        pulumi.StringInput
}

func (ResourceServerScopesScopeArgs) ElementType() reflect.Type {
	return reflect.TypeFor[ResourceServerScopesScope]()
}

// ResourceServerScopesScopeArrayInput is an input list of scopes.
type ResourceServerScopesScopeArrayInput = pulumi.Input

// ResourceServerScopesScopeArray is a list of scope inputs.
type ResourceServerScopesScopeArray = array[ResourceServerScopesScope]

// NewResourceServerScopes registers the scopes of an API.
func NewResourceServerScopes(ctx *pulumi.Context, name string, args *ResourceServerScopesArgs, opts ...pulumi.ResourceOption) (*ResourceServerScopes, error) {
	if args == nil || args.ResourceServerIdentifier == nil {
		return nil, missing("ResourceServerScopes", "ResourceServerIdentifier")
	}
	if args.Scopes == nil {
		return nil, missing("ResourceServerScopes", "Scopes")
	}
	var r ResourceServerScopes
	err := register(ctx, name, args, &r, opts)
	return &r, err
}
