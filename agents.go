package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// AgentClient is an agent's client, registered from its Client ID Metadata
// Document, and its user-type grant on the API.
type AgentClient struct {
	Config stackconfig.AgentClientConfig
	Client *auth0.ClientCimd
	Grant  *auth0.ClientGrant
}

// newAgentClient declares the client Auth0 builds from the agent's
// metadata document (name, redirect URIs and logo come from the document,
// never from the stack) and the grant that lets it get people's tokens for
// the API: the API requires a user-type grant (subjectTypeAuthorization),
// as for the web app and the CLI. Agents are third parties: a person
// consents to what the agent asks, and gets no more than their roles give.
func newAgentClient(ctx *pulumi.Context, a stackconfig.AgentClientConfig, api *API, opts ...pulumi.ResourceOption) (*AgentClient, error) {
	name := agentLogicalName(a.MetadataURL)
	args := &auth0.ClientCimdArgs{
		ExternalClientId: pulumi.String(a.MetadataURL),
		Description:      optionalString(a.Description),
		AppType:          pulumi.String(a.AppType),
		GrantTypes:       pulumi.ToStringArray([]string{"authorization_code", "refresh_token"}),
		OidcConformant:   pulumi.Bool(true),
		// Rotating, expiring refresh tokens, as people's other logins
		// (apps.go); Auth0 requires expiring ones for CIMD clients.
		RefreshToken: &auth0.ClientCimdRefreshTokenArgs{
			RotationType:              pulumi.String("rotating"),
			ExpirationType:            pulumi.String("expiring"),
			TokenLifetime:             pulumi.Int(refreshTokenLifetime),
			IdleTokenLifetime:         pulumi.Int(refreshTokenIdleLifetime),
			InfiniteTokenLifetime:     pulumi.Bool(false),
			InfiniteIdleTokenLifetime: pulumi.Bool(false),
		},
		RequireProofOfPossession: requireProofOfPossession(a.RequireProofOfPossession),
	}
	if a.MetadataVersion != nil {
		args.ExternalClientIdVersion = pulumi.Int(*a.MetadataVersion)
	}
	client, err := auth0.NewClientCimd(ctx, name, args, opts...)
	if err != nil {
		return nil, err
	}
	grant, err := auth0.NewClientGrant(ctx, name+"-grant", &auth0.ClientGrantArgs{
		ClientId:    client.ClientId,
		Audience:    api.Server.Identifier,
		Scopes:      pulumi.ToStringArray(a.Grants()), // its scopes and its models'
		SubjectType: pulumi.String("user"),
	}, pulumi.Parent(client), pulumi.DependsOn([]pulumi.Resource{api.Scopes}))
	if err != nil {
		return nil, err
	}
	return &AgentClient{Config: a, Client: client, Grant: grant}, nil
}

var notNameChar = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// agentLogicalName names an agent's client by its document's host and path
// (agent-agent.example.com-client.json), with a short hash of the whole URL
// so that two URLs that read the same once cleaned never share a name. The
// URL cannot change in Auth0, so neither does the name.
func agentLogicalName(metadataURL string) string {
	readable := metadataURL
	if u, err := url.Parse(metadataURL); err == nil {
		readable = u.Host + u.Path
	}
	sum := sha256.Sum256([]byte(metadataURL))
	return "agent-" + strings.Trim(notNameChar.ReplaceAllString(readable, "-"), "-") + "-" + hex.EncodeToString(sum[:4])
}
