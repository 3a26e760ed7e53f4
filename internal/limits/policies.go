package limits

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// Kind is whom a policy counts: each client, or each organization.
type Kind int

const (
	ClientPolicy Kind = iota
	OrgPolicy
)

// Policy is one limit as the gateway advertises it: a request rate, or a
// daily budget of model tokens.
type Policy struct {
	// Name identifies the policy in RateLimit and RateLimit-Policy fields and
	// in metrics: per-client, per-org, per-client-tokens, per-org-tokens.
	Name string
	// Rate is set for a request rate; TokensPerDay for a token budget.
	Rate         *Rate
	TokensPerDay int64
	// Item is the policy's member of the RateLimit-Policy field
	// (draft-ietf-httpapi-ratelimit-headers), such as "per-client";q=10;w=1.
	Item string
}

// Describe says what the policy allows, for people.
func (p *Policy) Describe() string {
	if p.Rate != nil {
		return fmt.Sprintf("%s allows %d requests per %s (bursts of %d)", p.Name, p.Rate.Requests, p.Rate.Per, p.Rate.Burst)
	}
	return fmt.Sprintf("%s allows %d model tokens per day (UTC)", p.Name, p.TokensPerDay)
}

// Policies are the compiled limits: the defaults and the overrides of each
// client and organization.
type Policies struct {
	client, org   policySet
	clients, orgs map[string]policySet
}

// policySet is what applies to one client or organization.
type policySet struct {
	requests, tokens *Policy
}

func compileSet(kind Kind, l Limit) policySet {
	name := [...]string{ClientPolicy: "per-client", OrgPolicy: "per-org"}[kind]
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

// HasBudgets reports whether any token budget is configured, so that
// responses must be read for their usage.
func (p *Policies) HasBudgets() bool {
	if p.client.tokens != nil || p.org.tokens != nil {
		return true
	}
	for _, m := range []map[string]policySet{p.clients, p.orgs} {
		for _, s := range m {
			if s.tokens != nil {
				return true
			}
		}
	}
	return false
}

// Caller is whom a request is counted against: the token's client (azp, or
// its subject when it has none) and organization (org_id, maybe empty).
type Caller struct {
	ClientID, OrgID string
}

func (c Caller) clientKey() string { return "client:" + c.ClientID }
func (c Caller) orgKey() string    { return "org:" + c.OrgID }

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
}

// Enforcer applies Policies to callers, counting in a Store.
type Enforcer struct {
	policies *Policies
	store    Store
	now      func() time.Time
	day      atomic.Pointer[day]
}

// NewEnforcer returns an Enforcer; now is the clock (nil: time.Now).
func NewEnforcer(p *Policies, s Store, now func() time.Time) *Enforcer {
	if now == nil {
		now = time.Now
	}
	return &Enforcer{policies: p, store: s, now: now}
}

// Policies are the enforcer's limits.
func (e *Enforcer) Policies() *Policies { return e.policies }

// Admit decides whether the caller may make one more request, and counts it
// against the request rates when it may. An error wraps ErrStore.
func (e *Enforcer) Admit(ctx context.Context, c Caller) (Verdict, error) {
	client, org := e.policies.forClient(c.ClientID), e.policies.forOrg(c.OrgID)
	var v Verdict
	if client == (policySet{}) && org == (policySet{}) {
		return v, nil
	}
	v.Outcomes = make([]Outcome, 0, 4)
	clientKey, orgKey := c.clientKey(), c.orgKey()
	if client.tokens != nil || org.tokens != nil {
		if err := e.checkBudgets(ctx, clientKey, orgKey, client.tokens, org.tokens, &v); err != nil || v.Denied != nil {
			return v, err
		}
	}
	for _, step := range [...]struct {
		p   *Policy
		key string
	}{{client.requests, clientKey}, {org.requests, orgKey}} {
		if step.p == nil {
			continue
		}
		r, err := e.store.Allow(ctx, step.key, *step.p.Rate)
		if err != nil {
			return v, err
		}
		v.Outcomes = append(v.Outcomes, Outcome{step.p, r})
		if !r.Allowed {
			v.Denied = &v.Outcomes[len(v.Outcomes)-1]
			return v, nil
		}
	}
	return v, nil
}

func (e *Enforcer) checkBudgets(ctx context.Context, clientKey, orgKey string, client, org *Policy, v *Verdict) error {
	now := e.now()
	policies := make([]*Policy, 0, 2)
	keys := make([]string, 0, 2)
	if client != nil {
		policies, keys = append(policies, client), append(keys, clientKey)
	}
	if org != nil {
		policies, keys = append(policies, org), append(keys, orgKey)
	}
	used, err := e.store.Used(ctx, e.today(now), keys...)
	if err != nil {
		return err
	}
	reset := untilTomorrow(now)
	for i, p := range policies {
		r := Result{Allowed: used[i] < p.TokensPerDay, Remaining: max(0, p.TokensPerDay-used[i]), ResetAfter: reset}
		if !r.Allowed {
			r.RetryAfter = reset
		}
		v.Outcomes = append(v.Outcomes, Outcome{p, r})
	}
	for i := range v.Outcomes {
		if !v.Outcomes[i].Allowed {
			v.Denied = &v.Outcomes[i]
			break
		}
	}
	return nil
}

// Record counts the model tokens a response used against the caller's
// budgets. The request was admitted before, so a response can take a budget
// past its end by its own tokens: the next request is refused.
func (e *Enforcer) Record(ctx context.Context, c Caller, tokens int64) error {
	if tokens <= 0 {
		return nil
	}
	client, org := e.policies.forClient(c.ClientID), e.policies.forOrg(c.OrgID)
	keys := make([]string, 0, 2)
	if client.tokens != nil {
		keys = append(keys, c.clientKey())
	}
	if org.tokens != nil {
		keys = append(keys, c.orgKey())
	}
	if len(keys) == 0 {
		return nil
	}
	return e.store.Add(ctx, e.today(e.now()), tokens, keys...)
}

// today is Day(now), formatted once a day rather than twice a request.
func (e *Enforcer) today(now time.Time) string {
	n := now.Unix() / (24 * 60 * 60)
	if d := e.day.Load(); d != nil && d.n == n {
		return d.s
	}
	s := Day(now)
	e.day.Store(&day{n, s})
	return s
}

type day struct {
	n int64 // days since 1970-01-01 UTC
	s string
}

// Seconds rounds d up to whole seconds, as Retry-After and the RateLimit
// field's t parameter say them.
func Seconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
