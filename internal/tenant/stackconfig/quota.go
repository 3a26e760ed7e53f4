package stackconfig

import "fmt"

// TokenQuotaConfig is Auth0's quota on the M2M tokens issued to a client or
// for an organization (the provider's tokenQuota). Auth0 counts tokens at
// the source, before any gateway sees a request.
type TokenQuotaConfig struct {
	ClientCredentials *QuotaLimitsConfig `json:"clientCredentials"`
}

// QuotaLimitsConfig is how many client-credentials tokens Auth0 issues per
// hour and per day. Enforce false only logs the excess; true refuses it.
type QuotaLimitsConfig struct {
	Enforce *bool `json:"enforce"`
	PerDay  *int  `json:"perDay"`
	PerHour *int  `json:"perHour"`
}

// DefaultTokenQuotaConfig is the tenant's defaultTokenQuota: the quota of
// every client, and of every organization, that sets none of its own.
type DefaultTokenQuotaConfig struct {
	Clients       *TokenQuotaConfig `json:"clients"`
	Organizations *TokenQuotaConfig `json:"organizations"`
}

// quotas checks every token quota the stack declares.
func (v *validator) quotas(c *Config) {
	for i, cl := range c.Clients {
		v.quota(fmt.Sprintf("%s[%s].tokenQuota", KeyClients, label(cl.Name, i)), cl.TokenQuota)
	}
	for i, o := range c.Organizations {
		v.quota(fmt.Sprintf("%s[%s].tokenQuota", KeyOrganizations, label(o.Name, i)), o.TokenQuota)
	}
	if c.Tenant == nil || c.Tenant.DefaultTokenQuota == nil {
		return
	}
	d, p := c.Tenant.DefaultTokenQuota, KeyTenant+".defaultTokenQuota"
	if d.Clients == nil && d.Organizations == nil {
		v.addf(p, "set clients or organizations (each {clientCredentials: {perHour, perDay, enforce}}), or remove it")
	}
	v.quota(p+".clients", d.Clients)
	v.quota(p+".organizations", d.Organizations)
}

// quota checks one quota: the provider requires clientCredentials, and a
// quota without a limit, or with a zero or negative one, is a mistake
// Auth0 would refuse or read as no token at all.
func (v *validator) quota(path string, q *TokenQuotaConfig) {
	if q == nil {
		return
	}
	l := q.ClientCredentials
	if l == nil {
		v.addf(path+".clientCredentials", "required: {perHour, perDay, enforce}, the limits on client-credentials tokens")
		return
	}
	if l.PerDay == nil && l.PerHour == nil {
		v.addf(path+".clientCredentials", "set perHour, perDay or both: a quota without a limit limits nothing")
	}
	for _, n := range []struct {
		key   string
		value *int
	}{{"perHour", l.PerHour}, {"perDay", l.PerDay}} {
		if n.value != nil && *n.value < 1 {
			v.addf(path+".clientCredentials."+n.key, "is %d; want a positive number of tokens (remove it for no limit)", *n.value)
		}
	}
	if l.PerHour != nil && l.PerDay != nil && *l.PerHour > *l.PerDay && *l.PerDay > 0 {
		v.addf(path+".clientCredentials.perHour", "is %d, more than perDay (%d): the daily limit would bind first; lower perHour or raise perDay", *l.PerHour, *l.PerDay)
	}
}
