package limits

import (
	"fmt"
	"strconv"
	"time"
)

// Kind is whom a policy counts: each client, each organization, or each
// person.
type Kind int

const (
	ClientPolicy Kind = iota
	OrgPolicy
	PersonPolicy
)

// Policy is one limit as the gateway advertises it: a request rate, or a
// daily budget of model tokens.
type Policy struct {
	// Name identifies the policy in RateLimit and RateLimit-Policy fields and
	// in metrics: per-client, per-org, per-person, and the budgets
	// per-client-tokens, per-org-tokens, per-person-tokens.
	Name string
	// Rate is set for a request rate; TokensPerDay for a token budget:
	// its quota per day or, Monthly, per month.
	Rate         *Rate
	TokensPerDay int64
	Monthly      bool
	// Item is the policy's member of the RateLimit-Policy field
	// (draft-ietf-httpapi-ratelimit-headers), such as "per-client";q=10;w=1.
	Item string
}

// Describe says what the policy allows, for people.
func (p *Policy) Describe() string {
	if p.Rate != nil {
		return fmt.Sprintf("%s allows %d requests per %s (bursts of %d)", p.Name, p.Rate.Requests, p.Rate.Per, p.Rate.Burst)
	}
	if p.Monthly {
		return fmt.Sprintf("%s allows %d model tokens per month (UTC)", p.Name, p.TokensPerDay)
	}
	return fmt.Sprintf("%s allows %d model tokens per day (UTC)", p.Name, p.TokensPerDay)
}

// Policies are the compiled limits: the defaults and the overrides of each
// client, organization and person.
type Policies struct {
	client, org, person   policySet
	clients, orgs, people map[string]policySet
}

// policySet is what applies to one client or organization.
type policySet struct {
	requests, tokens, monthTokens *Policy
}

func compileSet(kind Kind, l Limit) policySet {
	name := [...]string{ClientPolicy: "per-client", OrgPolicy: "per-org", PersonPolicy: "per-person"}[kind]
	var s policySet
	if l.Requests != nil {
		r := &Rate{Requests: *l.Requests, Per: DefaultPer, Burst: *l.Requests}
		if l.Per != "" {
			r.Per, _ = parsePer(l.Per) // checked before
		}
		if l.Burst != nil {
			r.Burst = *l.Burst
		}
		s.requests = &Policy{Name: name, Rate: r,
			Item: fmt.Sprintf("%q;q=%d;w=%d", name, r.Requests, int64(r.Per/time.Second))}
	}
	if l.TokensPerDay != nil {
		// "model-tokens" is not (yet) a registered quota unit: a client that
		// only knows "requests" ignores this member rather than misread it.
		s.tokens = &Policy{Name: name + "-tokens", TokensPerDay: *l.TokensPerDay,
			Item: fmt.Sprintf("%q;q=%d;qu=\"model-tokens\";w=86400", name+"-tokens", *l.TokensPerDay)}
	}
	if l.TokensPerMonth != nil {
		// w is a window of whole seconds: a month is told as 30 days, the
		// RateLimit field's t says when this one renews.
		n := name + "-tokens-month"
		s.monthTokens = &Policy{Name: n, TokensPerDay: *l.TokensPerMonth, Monthly: true,
			Item: fmt.Sprintf("%q;q=%d;qu=\"model-tokens\";w=2592000", n, *l.TokensPerMonth)}
	}
	return s
}

func (p *Policies) forClient(id string) policySet {
	if s, ok := p.clients[id]; ok {
		return s
	}
	return p.client
}

func (p *Policies) forOrg(id string) policySet {
	if id == "" {
		return policySet{}
	}
	if s, ok := p.orgs[id]; ok {
		return s
	}
	return p.org
}

// forPerson is the set of a person (their sub); none for an M2M client,
// which its client's set already counts.
func (p *Policies) forPerson(sub string) policySet {
	if sub == "" {
		return policySet{}
	}
	if s, ok := p.people[sub]; ok {
		return s
	}
	return p.person
}

// HasBudgets reports whether any token budget is configured, so that
// responses must be read for their usage.
func (p *Policies) HasBudgets() bool {
	for _, s := range []policySet{p.client, p.org, p.person} {
		if s.hasBudget() {
			return true
		}
	}
	for _, m := range []map[string]policySet{p.clients, p.orgs, p.people} {
		for _, s := range m {
			if s.hasBudget() {
				return true
			}
		}
	}
	return false
}

func (s policySet) hasBudget() bool { return s.tokens != nil || s.monthTokens != nil }

// Caller is whom a request is counted against: the token's client (azp, or
// its subject when it has none), organization (org_id, maybe empty) and,
// for a person's token, the person (sub; empty for an M2M client).
type Caller struct {
	ClientID, OrgID, Person string
}

func (c Caller) clientKey() string { return "client:" + c.ClientID }
func (c Caller) orgKey() string    { return "org:" + c.OrgID }

// personKey counts a person within the token's organization: one person in
// two organizations has two counts, and a person cannot leave the count of
// an organization without a token of another, which the tenant only issues
// to its members. The sub is last, so no org ID can end inside it.
func (c Caller) personKey() string { return "person:" + c.OrgID + ":" + c.Person }

// Outcome is one policy's state after a request, as the RateLimit field
// reports it.
type Outcome struct {
	Policy *Policy
	Result
}

// Verdict is what every policy that applies to a caller said of a request.
type Verdict struct {
	// Outcomes has one entry per policy that applies, in the order checked:
	// budgets first (a request refused for its budget takes no request
	// quota), then the client's rate, then the organization's.
	Outcomes []Outcome
	// Denied is the outcome that refused the request, or nil.
	Denied *Outcome
	// Crossed are the budgets this request found at 80% or 100% for the
	// first time in their period (in this process): see Crossing.
	Crossed []Crossing
}

// Seconds rounds d up to whole seconds, as Retry-After and the RateLimit
// field's t parameter say them.
func Seconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
