package auth0

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Role is an RBAC role of the tenant.
type Role struct {
	pulumi.CustomResourceState

	Name pulumi.StringOutput `pulumi:"name"`
}

// RoleArgs are the inputs of a Role.
type RoleArgs struct {
	Description pulumi.StringPtrInput
	Name        pulumi.StringPtrInput
}

type roleArgs struct {
	Description *string `pulumi:"description"`
	Name        *string `pulumi:"name"`
}

func (RoleArgs) ElementType() reflect.Type { return reflect.TypeFor[roleArgs]() }

// NewRole registers a role.
func NewRole(ctx *pulumi.Context, name string, args *RoleArgs, opts ...pulumi.ResourceOption) (*Role, error) {
	if args == nil {
		args = &RoleArgs{}
	}
	var r Role
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// RolePermissions is the authoritative list of a role's permissions.
type RolePermissions struct {
	pulumi.CustomResourceState

	RoleId pulumi.StringOutput `pulumi:"roleId"`
}

// RolePermissionsArgs are the inputs of RolePermissions.
type RolePermissionsArgs struct {
	Permissions RolePermissionsPermissionArrayInput
	RoleId      pulumi.StringInput
}

type rolePermissionsArgs struct {
	Permissions []RolePermissionsPermission `pulumi:"permissions"`
	RoleId      string                      `pulumi:"roleId"`
}

func (RolePermissionsArgs) ElementType() reflect.Type { return reflect.TypeFor[rolePermissionsArgs]() }

// RolePermissionsPermission is one permission (a scope of an API) of a role.
type RolePermissionsPermission struct {
	Name                     string `pulumi:"name"`
	ResourceServerIdentifier string `pulumi:"resourceServerIdentifier"`
}

// RolePermissionsPermissionArgs is the input form of RolePermissionsPermission.
type RolePermissionsPermissionArgs struct {
	Name                     pulumi.StringInput
	ResourceServerIdentifier pulumi.StringInput
}

func (RolePermissionsPermissionArgs) ElementType() reflect.Type {
	return reflect.TypeFor[RolePermissionsPermission]()
}

// RolePermissionsPermissionArrayInput is an input list of permissions.
type RolePermissionsPermissionArrayInput = pulumi.Input

// RolePermissionsPermissionArray is a list of permission inputs.
type RolePermissionsPermissionArray = array[RolePermissionsPermission]

// NewRolePermissions registers the permissions of a role.
func NewRolePermissions(ctx *pulumi.Context, name string, args *RolePermissionsArgs, opts ...pulumi.ResourceOption) (*RolePermissions, error) {
	if args == nil || args.RoleId == nil {
		return nil, missing("RolePermissions", "RoleId")
	}
	if args.Permissions == nil {
		return nil, missing("RolePermissions", "Permissions")
	}
	var r RolePermissions
	err := register(ctx, name, args, &r, opts)
	return &r, err
}
