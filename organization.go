package tenant

import (
	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Organization is one customer or team with its connection link, members and
// their roles.
type Organization struct {
	Organization *auth0.Organization
	Connections  *auth0.OrganizationConnections
	Members      *auth0.OrganizationMembers                // nil without members
	MemberRoles  map[string]*auth0.OrganizationMemberRoles // by member key
}

// newConnection declares the database connection that holds the members.
// Deleting or replacing it deletes its users, so a protected stack both
// protects it and retains it in Auth0 if it ever leaves the program.
func newConnection(ctx *pulumi.Context, cfg *Config) (*auth0.Connection, map[string]*auth0.User, error) {
	c := cfg.Connection
	conn, err := auth0.NewConnection(ctx, "connection-"+c.Name, &auth0.ConnectionArgs{
		Name:     pulumi.String(c.Name),
		Strategy: pulumi.String("auth0"),
		Options: &auth0.ConnectionOptionsArgs{
			PasswordPolicy:       pulumi.String(c.PasswordPolicy),
			DisableSignup:        pulumi.Bool(*c.DisableSignup),
			BruteForceProtection: pulumi.Bool(*c.BruteForceProtection),
		},
	}, pulumi.Protect(cfg.Protect), pulumi.RetainOnDelete(cfg.Protect))
	if err != nil {
		return nil, nil, err
	}
	users := map[string]*auth0.User{}
	for _, u := range cfg.TestUsers {
		user, err := auth0.NewUser(ctx, "user-"+u.Email, &auth0.UserArgs{
			ConnectionName: conn.Name,
			Email:          pulumi.String(u.Email),
			EmailVerified:  pulumi.Bool(true),
			Name:           optionalString(u.Name),
			Password:       pulumi.String(cfg.TestUserPassword),
		}, pulumi.Parent(conn), pulumi.Protect(false), pulumi.RetainOnDelete(false))
		if err != nil {
			return nil, nil, err
		}
		users[u.Email] = user
	}
	return conn, users, nil
}

// newOrganization declares an organization, links the connection to it, and
// adds its members with their roles.
func newOrganization(ctx *pulumi.Context, cfg *Config, o OrganizationConfig, connID pulumi.StringOutput,
	users map[string]*auth0.User, api *API,
) (*Organization, error) {
	args := &auth0.OrganizationArgs{
		Name:        pulumi.String(o.Name),
		DisplayName: pulumi.String(o.DisplayName),
	}
	if len(o.Metadata) > 0 {
		args.Metadata = pulumi.ToStringMap(o.Metadata)
	}
	if b := o.Branding; b != nil {
		colors := pulumi.StringMap{}
		if b.PrimaryColor != "" {
			colors["primary"] = pulumi.String(b.PrimaryColor)
		}
		if b.PageBackground != "" {
			colors["page_background"] = pulumi.String(b.PageBackground)
		}
		args.Branding = &auth0.OrganizationBrandingArgs{LogoUrl: optionalString(b.LogoURL), Colors: colors}
	}
	org, err := auth0.NewOrganization(ctx, "org-"+o.Name, args, pulumi.Protect(cfg.Protect))
	if err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(org), pulumi.Protect(false)}
	orgID := org.ID().ToStringOutput()

	links := auth0.OrganizationConnectionsEnabledConnectionArray{
		auth0.OrganizationConnectionsEnabledConnectionArgs{
			ConnectionId:            connID,
			AssignMembershipOnLogin: pulumi.Bool(o.AssignMembershipOnLogin),
		},
	}
	for _, id := range o.Connections {
		links = append(links, auth0.OrganizationConnectionsEnabledConnectionArgs{ConnectionId: pulumi.String(id)})
	}
	orgConns, err := auth0.NewOrganizationConnections(ctx, "org-"+o.Name+"-connections", &auth0.OrganizationConnectionsArgs{
		OrganizationId:     orgID,
		EnabledConnections: links,
	}, child...)
	if err != nil {
		return nil, err
	}
	result := &Organization{Organization: org, Connections: orgConns, MemberRoles: map[string]*auth0.OrganizationMemberRoles{}}
	if len(o.Members) == 0 {
		return result, nil
	}

	userIDs := make(map[string]pulumi.StringInput, len(o.Members))
	members := make(pulumi.StringArray, len(o.Members))
	for i, m := range o.Members {
		userIDs[m.Key()] = pulumi.String(m.UserID)
		if m.Email != "" {
			userIDs[m.Key()] = users[m.Email].ID().ToStringOutput()
		}
		members[i] = userIDs[m.Key()]
	}
	result.Members, err = auth0.NewOrganizationMembers(ctx, "org-"+o.Name+"-members", &auth0.OrganizationMembersArgs{
		OrganizationId: orgID,
		Members:        members,
	}, child...)
	if err != nil {
		return nil, err
	}
	for _, m := range o.Members {
		if len(m.Roles) == 0 {
			continue
		}
		// Roles are assigned inside the organization, so the user must be a
		// member first: taking the organization ID from the membership
		// resource orders the two without a separate dependency.
		memberRoles, err := auth0.NewOrganizationMemberRoles(ctx, "org-"+o.Name+"-member-"+m.Key()+"-roles", &auth0.OrganizationMemberRolesArgs{
			OrganizationId: result.Members.OrganizationId,
			UserId:         userIDs[m.Key()],
			Roles:          api.RoleIDs(m.Roles),
		}, child...)
		if err != nil {
			return nil, err
		}
		result.MemberRoles[m.Key()] = memberRoles
	}
	return result, nil
}
