package auth0

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Client is an Auth0 application; here, a machine-to-machine client.
type Client struct {
	pulumi.CustomResourceState

	ClientId pulumi.StringOutput `pulumi:"clientId"`
	Name     pulumi.StringOutput `pulumi:"name"`
}

// ClientArgs are the inputs of a Client.
type ClientArgs struct {
	AppType      pulumi.StringPtrInput
	Description  pulumi.StringPtrInput
	GrantTypes   pulumi.StringArrayInput
	IsFirstParty pulumi.BoolPtrInput
	Name         pulumi.StringPtrInput
}

type clientArgs struct {
	AppType      *string  `pulumi:"appType"`
	Description  *string  `pulumi:"description"`
	GrantTypes   []string `pulumi:"grantTypes"`
	IsFirstParty *bool    `pulumi:"isFirstParty"`
	Name         *string  `pulumi:"name"`
}

func (ClientArgs) ElementType() reflect.Type { return reflect.TypeFor[clientArgs]() }

// NewClient registers a client.
func NewClient(ctx *pulumi.Context, name string, args *ClientArgs, opts ...pulumi.ResourceOption) (*Client, error) {
	if args == nil {
		args = &ClientArgs{}
	}
	var r Client
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// ClientCredentials is how a client authenticates at the token endpoint.
type ClientCredentials struct {
	pulumi.CustomResourceState

	ClientSecret pulumi.StringOutput `pulumi:"clientSecret"`
}

// ClientCredentialsArgs are the inputs of ClientCredentials.
type ClientCredentialsArgs struct {
	AuthenticationMethod pulumi.StringPtrInput
	ClientId             pulumi.StringInput
}

type clientCredentialsArgs struct {
	AuthenticationMethod *string `pulumi:"authenticationMethod"`
	ClientId             string  `pulumi:"clientId"`
}

func (ClientCredentialsArgs) ElementType() reflect.Type {
	return reflect.TypeFor[clientCredentialsArgs]()
}

// NewClientCredentials registers the credentials of a client. The secret the
// provider reads back is always a secret output.
func NewClientCredentials(ctx *pulumi.Context, name string, args *ClientCredentialsArgs, opts ...pulumi.ResourceOption) (*ClientCredentials, error) {
	if args == nil || args.ClientId == nil {
		return nil, missing("ClientCredentials", "ClientId")
	}
	opts = append(opts, pulumi.AdditionalSecretOutputs([]string{"clientSecret"}))
	var r ClientCredentials
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// ClientGrant allows a client to request tokens for an API with some scopes.
type ClientGrant struct {
	pulumi.CustomResourceState

	Audience pulumi.StringOutput      `pulumi:"audience"`
	ClientId pulumi.StringOutput      `pulumi:"clientId"`
	Scopes   pulumi.StringArrayOutput `pulumi:"scopes"`
}

// ClientGrantArgs are the inputs of a ClientGrant.
type ClientGrantArgs struct {
	AllowAnyOrganization pulumi.BoolPtrInput
	Audience             pulumi.StringInput
	ClientId             pulumi.StringPtrInput
	OrganizationUsage    pulumi.StringPtrInput
	Scopes               pulumi.StringArrayInput
}

type clientGrantArgs struct {
	AllowAnyOrganization *bool    `pulumi:"allowAnyOrganization"`
	Audience             string   `pulumi:"audience"`
	ClientId             *string  `pulumi:"clientId"`
	OrganizationUsage    *string  `pulumi:"organizationUsage"`
	Scopes               []string `pulumi:"scopes"`
}

func (ClientGrantArgs) ElementType() reflect.Type { return reflect.TypeFor[clientGrantArgs]() }

// NewClientGrant registers a client grant.
func NewClientGrant(ctx *pulumi.Context, name string, args *ClientGrantArgs, opts ...pulumi.ResourceOption) (*ClientGrant, error) {
	if args == nil || args.Audience == nil {
		return nil, missing("ClientGrant", "Audience")
	}
	var r ClientGrant
	err := register(ctx, name, args, &r, opts)
	return &r, err
}
