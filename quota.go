package main

import (
	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Token quotas are Auth0's limits on the client-credentials tokens it
// issues: counted at the source, so that a runaway job is stopped before it
// holds a thousand tokens. The provider has one type per place a quota
// goes (a client, an organization, the tenant's defaults for each); the
// limits are the same three inputs in each.

// quotaLimits returns the inputs of a validated quota's limits; unset
// limits stay unset, so that Auth0's defaults apply to them.
func quotaLimits(q *stackconfig.TokenQuotaConfig) (enforce pulumi.BoolPtrInput, perDay, perHour pulumi.IntPtrInput) {
	l := q.ClientCredentials
	if l.Enforce != nil {
		enforce = pulumi.Bool(*l.Enforce)
	}
	if l.PerDay != nil {
		perDay = pulumi.Int(*l.PerDay)
	}
	if l.PerHour != nil {
		perHour = pulumi.Int(*l.PerHour)
	}
	return enforce, perDay, perHour
}

func clientTokenQuota(q *stackconfig.TokenQuotaConfig) auth0.ClientTokenQuotaPtrInput {
	if q == nil {
		return nil
	}
	enforce, perDay, perHour := quotaLimits(q)
	return &auth0.ClientTokenQuotaArgs{ClientCredentials: &auth0.ClientTokenQuotaClientCredentialsArgs{
		Enforce: enforce, PerDay: perDay, PerHour: perHour}}
}

func organizationTokenQuota(q *stackconfig.TokenQuotaConfig) auth0.OrganizationTokenQuotaPtrInput {
	if q == nil {
		return nil
	}
	enforce, perDay, perHour := quotaLimits(q)
	return &auth0.OrganizationTokenQuotaArgs{ClientCredentials: &auth0.OrganizationTokenQuotaClientCredentialsArgs{
		Enforce: enforce, PerDay: perDay, PerHour: perHour}}
}

func tenantDefaultTokenQuota(d *stackconfig.DefaultTokenQuotaConfig) auth0.TenantDefaultTokenQuotaPtrInput {
	if d == nil {
		return nil
	}
	args := &auth0.TenantDefaultTokenQuotaArgs{}
	if d.Clients != nil {
		enforce, perDay, perHour := quotaLimits(d.Clients)
		args.Clients = &auth0.TenantDefaultTokenQuotaClientsArgs{ClientCredentials: &auth0.TenantDefaultTokenQuotaClientsClientCredentialsArgs{
			Enforce: enforce, PerDay: perDay, PerHour: perHour}}
	}
	if d.Organizations != nil {
		enforce, perDay, perHour := quotaLimits(d.Organizations)
		args.Organizations = &auth0.TenantDefaultTokenQuotaOrganizationsArgs{ClientCredentials: &auth0.TenantDefaultTokenQuotaOrganizationsClientCredentialsArgs{
			Enforce: enforce, PerDay: perDay, PerHour: perHour}}
	}
	return args
}
