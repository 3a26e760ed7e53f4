package auth0

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Organization is an Auth0 organization: one customer or team.
type Organization struct {
	pulumi.CustomResourceState

	Name pulumi.StringOutput `pulumi:"name"`
}

// OrganizationArgs are the inputs of an Organization.
type OrganizationArgs struct {
	Branding    *OrganizationBrandingArgs
	DisplayName pulumi.StringPtrInput
	Metadata    pulumi.StringMapInput
	Name        pulumi.StringPtrInput
}

type organizationArgs struct {
	Branding    *OrganizationBranding `pulumi:"branding"`
	DisplayName *string               `pulumi:"displayName"`
	Metadata    map[string]string     `pulumi:"metadata"`
	Name        *string               `pulumi:"name"`
}

func (OrganizationArgs) ElementType() reflect.Type { return reflect.TypeFor[organizationArgs]() }

// OrganizationBranding is the login page branding of an organization. Colors
// takes the keys "primary" and "page_background".
type OrganizationBranding struct {
	Colors  map[string]string `pulumi:"colors"`
	LogoUrl *string           `pulumi:"logoUrl"`
}

// OrganizationBrandingArgs is the input form of OrganizationBranding.
type OrganizationBrandingArgs struct {
	Colors  pulumi.StringMapInput
	LogoUrl pulumi.StringPtrInput
}

func (OrganizationBrandingArgs) ElementType() reflect.Type {
	return reflect.TypeFor[OrganizationBranding]()
}

// NewOrganization registers an organization.
func NewOrganization(ctx *pulumi.Context, name string, args *OrganizationArgs, opts ...pulumi.ResourceOption) (*Organization, error) {
	if args == nil {
		args = &OrganizationArgs{}
	}
	var r Organization
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// OrganizationConnections is the authoritative list of the connections
// enabled for an organization.
type OrganizationConnections struct {
	pulumi.CustomResourceState

	OrganizationId pulumi.StringOutput `pulumi:"organizationId"`
}

// OrganizationConnectionsArgs are the inputs of OrganizationConnections.
type OrganizationConnectionsArgs struct {
	EnabledConnections OrganizationConnectionsEnabledConnectionArrayInput
	OrganizationId     pulumi.StringInput
}

type organizationConnectionsArgs struct {
	EnabledConnections []OrganizationConnectionsEnabledConnection `pulumi:"enabledConnections"`
	OrganizationId     string                                     `pulumi:"organizationId"`
}

func (OrganizationConnectionsArgs) ElementType() reflect.Type {
	return reflect.TypeFor[organizationConnectionsArgs]()
}

// OrganizationConnectionsEnabledConnection links one connection to an organization.
type OrganizationConnectionsEnabledConnection struct {
	AssignMembershipOnLogin *bool  `pulumi:"assignMembershipOnLogin"`
	ConnectionId            string `pulumi:"connectionId"`
}

// OrganizationConnectionsEnabledConnectionArgs is the input form of
// OrganizationConnectionsEnabledConnection.
type OrganizationConnectionsEnabledConnectionArgs struct {
	AssignMembershipOnLogin pulumi.BoolPtrInput
	ConnectionId            pulumi.StringInput
}

func (OrganizationConnectionsEnabledConnectionArgs) ElementType() reflect.Type {
	return reflect.TypeFor[OrganizationConnectionsEnabledConnection]()
}

// OrganizationConnectionsEnabledConnectionArrayInput is an input list of linked connections.
type OrganizationConnectionsEnabledConnectionArrayInput = pulumi.Input

// OrganizationConnectionsEnabledConnectionArray is a list of linked connection inputs.
type OrganizationConnectionsEnabledConnectionArray = array[OrganizationConnectionsEnabledConnection]

// NewOrganizationConnections registers the connections of an organization.
func NewOrganizationConnections(ctx *pulumi.Context, name string, args *OrganizationConnectionsArgs, opts ...pulumi.ResourceOption) (*OrganizationConnections, error) {
	if args == nil || args.OrganizationId == nil {
		return nil, missing("OrganizationConnections", "OrganizationId")
	}
	if args.EnabledConnections == nil {
		return nil, missing("OrganizationConnections", "EnabledConnections")
	}
	var r OrganizationConnections
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// OrganizationMembers is the authoritative list of an organization's members.
type OrganizationMembers struct {
	pulumi.CustomResourceState

	Members        pulumi.StringArrayOutput `pulumi:"members"`
	OrganizationId pulumi.StringOutput      `pulumi:"organizationId"`
}

// OrganizationMembersArgs are the inputs of OrganizationMembers.
type OrganizationMembersArgs struct {
	Members        pulumi.StringArrayInput
	OrganizationId pulumi.StringInput
}

type organizationMembersArgs struct {
	Members        []string `pulumi:"members"`
	OrganizationId string   `pulumi:"organizationId"`
}

func (OrganizationMembersArgs) ElementType() reflect.Type {
	return reflect.TypeFor[organizationMembersArgs]()
}

// NewOrganizationMembers registers the members of an organization.
func NewOrganizationMembers(ctx *pulumi.Context, name string, args *OrganizationMembersArgs, opts ...pulumi.ResourceOption) (*OrganizationMembers, error) {
	if args == nil || args.OrganizationId == nil {
		return nil, missing("OrganizationMembers", "OrganizationId")
	}
	if args.Members == nil {
		return nil, missing("OrganizationMembers", "Members")
	}
	var r OrganizationMembers
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// OrganizationMemberRoles is the authoritative list of one member's roles
// inside one organization.
type OrganizationMemberRoles struct {
	pulumi.CustomResourceState

	Roles pulumi.StringArrayOutput `pulumi:"roles"`
}

// OrganizationMemberRolesArgs are the inputs of OrganizationMemberRoles.
type OrganizationMemberRolesArgs struct {
	OrganizationId pulumi.StringInput
	Roles          pulumi.StringArrayInput
	UserId         pulumi.StringInput
}

type organizationMemberRolesArgs struct {
	OrganizationId string   `pulumi:"organizationId"`
	Roles          []string `pulumi:"roles"`
	UserId         string   `pulumi:"userId"`
}

func (OrganizationMemberRolesArgs) ElementType() reflect.Type {
	return reflect.TypeFor[organizationMemberRolesArgs]()
}

// NewOrganizationMemberRoles registers the roles of an organization member.
func NewOrganizationMemberRoles(ctx *pulumi.Context, name string, args *OrganizationMemberRolesArgs, opts ...pulumi.ResourceOption) (*OrganizationMemberRoles, error) {
	switch {
	case args == nil || args.OrganizationId == nil:
		return nil, missing("OrganizationMemberRoles", "OrganizationId")
	case args.UserId == nil:
		return nil, missing("OrganizationMemberRoles", "UserId")
	case args.Roles == nil:
		return nil, missing("OrganizationMemberRoles", "Roles")
	}
	var r OrganizationMemberRoles
	err := register(ctx, name, args, &r, opts)
	return &r, err
}
