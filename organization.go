package main

import (
	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Organization is one customer or team with its connection link, members and
// their roles.
type Organization struct {
	Organization *auth0.Organization
	Connections  *auth0.OrganizationConnections
	// Members is the authoritative member list: nil without members, and
	// for an organization that assigns membership on login, whose declared
	// members are each one Member instead.
	Members     *auth0.OrganizationMembers
	Member      map[string]*auth0.OrganizationMember      // by member key
	MemberRoles map[string]*auth0.OrganizationMemberRoles // by member key
}

// newConnection declares the database connection that holds the members.
// Its logical name is fixed: renaming the connection is a replacement (name
// is willReplaceOnChanges), which protect refuses, never a new connection
// beside the old one.
// Deleting or replacing it deletes its users, so a protected stack both
// protects it and retains it in Auth0 if it ever leaves the program.
func newConnection(ctx *pulumi.Context, cfg *Config) (*auth0.Connection, map[string]*auth0.User, error) {
	c := cfg.Connection
	conn, err := auth0.NewConnection(ctx, "connection", &auth0.ConnectionArgs{
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
		TokenQuota:  organizationTokenQuota(o.TokenQuota),
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
	child := []pulumi.ResourceOption{pulumi.Parent(org)}
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
	result := &Organization{Organization: org, Connections: orgConns,
		Member: map[string]*auth0.OrganizationMember{}, MemberRoles: map[string]*auth0.OrganizationMemberRoles{}}
	if len(o.Members) == 0 {
		return result, nil
	}

	userIDs := make(map[string]pulumi.StringInput, len(o.Members))
	for _, m := range o.Members {
		userIDs[m.Key()] = pulumi.String(m.UserID)
		if m.Email != "" {
			userIDs[m.Key()] = users[m.Email].ID().ToStringOutput()
		}
	}
	// Roles are assigned inside the organization, so the user must be a
	// member first: taking the organization ID from the membership resource
	// orders the two without a separate dependency.
	memberOf, err := declareMembers(ctx, o, orgID, userIDs, result, child)
	if err != nil {
		return nil, err
	}
	for _, m := range o.Members {
		if len(m.Roles) == 0 {
			continue
		}
		memberRoles, err := auth0.NewOrganizationMemberRoles(ctx, "org-"+o.Name+"-member-"+m.Key()+"-roles", &auth0.OrganizationMemberRolesArgs{
			OrganizationId: memberOf[m.Key()],
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

// declareMembers adds the declared members to the organization and returns,
// by member key, the organization ID as their membership outputs it.
//
// Without assignMembershipOnLogin, one authoritative OrganizationMembers
// lists them: a member added by hand is drift, removed by the next `pulumi
// up`. An organization that assigns membership on login gains members that
// no stack file lists, and the authoritative list would remove them at the
// next `pulumi up --refresh`; there each declared member is its own
// OrganizationMember, which manages that one membership and leaves the
// others alone.
func declareMembers(ctx *pulumi.Context, o OrganizationConfig, orgID pulumi.StringOutput,
	userIDs map[string]pulumi.StringInput, result *Organization, child []pulumi.ResourceOption,
) (map[string]pulumi.StringOutput, error) {
	memberOf := make(map[string]pulumi.StringOutput, len(o.Members))
	if !o.AssignMembershipOnLogin {
		members := make(pulumi.StringArray, len(o.Members))
		for i, m := range o.Members {
			members[i] = userIDs[m.Key()]
		}
		list, err := auth0.NewOrganizationMembers(ctx, "org-"+o.Name+"-members", &auth0.OrganizationMembersArgs{
			OrganizationId: orgID,
			Members:        members,
		}, child...)
		if err != nil {
			return nil, err
		}
		result.Members = list
		for _, m := range o.Members {
			memberOf[m.Key()] = list.OrganizationId
		}
		return memberOf, nil
	}
	for _, m := range o.Members {
		member, err := auth0.NewOrganizationMember(ctx, "org-"+o.Name+"-member-"+m.Key(), &auth0.OrganizationMemberArgs{
			OrganizationId: orgID,
			UserId:         userIDs[m.Key()],
		}, child...)
		if err != nil {
			return nil, err
		}
		result.Member[m.Key()] = member
		memberOf[m.Key()] = member.OrganizationId
	}
	return memberOf, nil
}
