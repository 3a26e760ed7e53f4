package auth0

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Connection is an identity source; with strategy "auth0", a database of users.
type Connection struct {
	pulumi.CustomResourceState

	Name     pulumi.StringOutput `pulumi:"name"`
	Strategy pulumi.StringOutput `pulumi:"strategy"`
}

// ConnectionArgs are the inputs of a Connection.
type ConnectionArgs struct {
	DisplayName pulumi.StringPtrInput
	Name        pulumi.StringPtrInput
	Options     *ConnectionOptionsArgs
	Strategy    pulumi.StringInput
}

type connectionArgs struct {
	DisplayName *string            `pulumi:"displayName"`
	Name        *string            `pulumi:"name"`
	Options     *ConnectionOptions `pulumi:"options"`
	Strategy    string             `pulumi:"strategy"`
}

func (ConnectionArgs) ElementType() reflect.Type { return reflect.TypeFor[connectionArgs]() }

// ConnectionOptions are the options of a database connection that this
// project sets.
type ConnectionOptions struct {
	BruteForceProtection *bool   `pulumi:"bruteForceProtection"`
	DisableSignup        *bool   `pulumi:"disableSignup"`
	PasswordPolicy       *string `pulumi:"passwordPolicy"`
	RequiresUsername     *bool   `pulumi:"requiresUsername"`
}

// ConnectionOptionsArgs is the input form of ConnectionOptions.
type ConnectionOptionsArgs struct {
	BruteForceProtection pulumi.BoolPtrInput
	DisableSignup        pulumi.BoolPtrInput
	PasswordPolicy       pulumi.StringPtrInput
	RequiresUsername     pulumi.BoolPtrInput
}

func (ConnectionOptionsArgs) ElementType() reflect.Type { return reflect.TypeFor[ConnectionOptions]() }

// NewConnection registers a connection.
func NewConnection(ctx *pulumi.Context, name string, args *ConnectionArgs, opts ...pulumi.ResourceOption) (*Connection, error) {
	if args == nil || args.Strategy == nil {
		return nil, missing("Connection", "Strategy")
	}
	var r Connection
	err := register(ctx, name, args, &r, opts)
	return &r, err
}

// User is a user of a database connection.
type User struct {
	pulumi.CustomResourceState

	Email  pulumi.StringOutput `pulumi:"email"`
	UserId pulumi.StringOutput `pulumi:"userId"`
}

// UserArgs are the inputs of a User.
type UserArgs struct {
	ConnectionName pulumi.StringInput
	Email          pulumi.StringPtrInput
	EmailVerified  pulumi.BoolPtrInput
	Name           pulumi.StringPtrInput
	Password       pulumi.StringPtrInput
}

type userArgs struct {
	ConnectionName string  `pulumi:"connectionName"`
	Email          *string `pulumi:"email"`
	EmailVerified  *bool   `pulumi:"emailVerified"`
	Name           *string `pulumi:"name"`
	Password       *string `pulumi:"password"`
}

func (UserArgs) ElementType() reflect.Type { return reflect.TypeFor[userArgs]() }

// NewUser registers a user. Its password is always sent as a secret.
func NewUser(ctx *pulumi.Context, name string, args *UserArgs, opts ...pulumi.ResourceOption) (*User, error) {
	if args == nil || args.ConnectionName == nil {
		return nil, missing("User", "ConnectionName")
	}
	if args.Password != nil {
		args.Password = pulumi.ToSecret(args.Password).(pulumi.StringPtrInput)
	}
	var r User
	err := register(ctx, name, args, &r, opts)
	return &r, err
}
