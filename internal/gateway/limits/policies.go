package limits

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is whom a policy counts: each client, each organization, each
// person, or each model.
type Kind int

// String is the kind as the gateway names it: client, org, person, model.
func (k Kind) String() string {
	return [...]string{ClientPolicy: "client", OrgPolicy: "org", PersonPolicy: "person", ModelPolicy: "model"}[k]
}

const (
	ClientPolicy Kind = iota
	OrgPolicy
	PersonPolicy
	ModelPolicy
)

// Policy is one limit as the gateway advertises it: a request rate, or a
// daily budget of model tokens.
type Policy struct {
	// Name identifies the policy in RateLimit and RateLimit-Policy fields and
	// in metrics: per-client, per-org, per-person, per-model, and their
	// budgets, such as per-person-tokens, per-person-tokens-month,
	// per-org-usd and per-model-usd-month.
	Name string
	// Kind is whom the policy counts.
	Kind Kind
	// Rate is set for a request rate; TokensPerDay for a budget: its quota
	// per day or, Monthly, per month, of model tokens or, Money, of
	// micro-dollars (the name is the first budget's, a day's tokens).
	Rate         *Rate
	TokensPerDay int64
	Monthly      bool
	Money        bool
	// Item is the policy's member of the RateLimit-Policy field
	// (draft-ietf-httpapi-ratelimit-headers), such as "per-client";q=10;w=1.
	Item string
}

// Describe says what the policy allows, for people.
func (p *Policy) Describe() string {
	if p.Rate != nil {
		return fmt.Sprintf("%s allows %d requests per %s (bursts of %d)", p.Name, p.Rate.Requests, p.Rate.Per, p.Rate.Burst)
	}
	period := "day"
	if p.Monthly {
		period = "month"
	}
	if p.Money {
		return fmt.Sprintf("%s allows %s USD per %s (UTC)", p.Name, USD(p.TokensPerDay), period)
	}
	return fmt.Sprintf("%s allows %d model tokens per %s (UTC)", p.Name, p.TokensPerDay, period)
}

// Policies are the compiled limits: the defaults and the overrides of each
// client, organization and person.
type Policies struct {
	client, org, person, model    policySet
	clients, orgs, people, models map[string]policySet
}

// policySet is what applies to one client, organization, person or model.
type policySet struct {
	requests, tokens, monthTokens, money, monthMoney *Policy
}

// USD says micro-dollars as dollars, to the micro-dollar: "1.5", "0.000125".
func USD(micros int64) string {
	return strconv.FormatFloat(float64(micros)/1e6, 'f', -1, 64)
}

func compileSet(kind Kind, l Limit) policySet {
	name := [...]string{ClientPolicy: "per-client", OrgPolicy: "per-org", PersonPolicy: "per-person", ModelPolicy: "per-model"}[kind]
	var s policySet
	defer func() {
		for _, p := range [...]*Policy{s.requests, s.tokens, s.monthTokens, s.money, s.monthMoney} {
			if p != nil {
				p.Kind = kind
			}
		}
	}()
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
	// Money in the RateLimit fields' whole numbers: micro-dollars, a unit
	// of this gateway's own ("usd-micros").
	if l.USDPerDay != nil {
		n := name + "-usd"
		s.money = &Policy{Name: n, TokensPerDay: micros(*l.USDPerDay), Money: true,
			Item: fmt.Sprintf("%q;q=%d;qu=\"usd-micros\";w=86400", n, micros(*l.USDPerDay))}
	}
	if l.USDPerMonth != nil {
		n := name + "-usd-month"
		s.monthMoney = &Policy{Name: n, TokensPerDay: micros(*l.USDPerMonth), Monthly: true, Money: true,
			Item: fmt.Sprintf("%q;q=%d;qu=\"usd-micros\";w=2592000", n, micros(*l.USDPerMonth))}
	}
	return s
}

// budgets are the set's budgets, in the order checked: a day's tokens, a
// month's, then a day's money and a month's (nil where none).
func (s policySet) budgets() [4]*Policy {
	return [4]*Policy{s.tokens, s.monthTokens, s.money, s.monthMoney}
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

// forModel is the set of a model; none for a request that names no model.
func (p *Policies) forModel(name string) policySet {
	if name == "" {
		return policySet{}
	}
	if s, ok := p.models[name]; ok {
		return s
	}
	return p.model
}

// HasBudgets reports whether any token budget is configured, so that
// responses must be read for their usage.
func (p *Policies) HasBudgets() bool {
	for _, s := range []policySet{p.client, p.org, p.person, p.model} {
		if s.hasBudget() {
			return true
		}
	}
	for _, m := range []map[string]policySet{p.clients, p.orgs, p.people, p.models} {
		for _, s := range m {
			if s.hasBudget() {
				return true
			}
		}
	}
	return false
}

func (s policySet) hasBudget() bool { return s.budgets() != [4]*Policy{} }

// Caller is whom a request is counted against: the token's client (azp, or
// its subject when it has none), organization (org_id, maybe empty) and,
// for a person's token, the person (sub; empty for an M2M client); and the
// model the request names, if any (a configured model's name).
type Caller struct {
	ClientID, OrgID, Person, Model string
}

// callerKeys are a caller's count keys: "client:ID", "org:ID",
// "model:NAME" and the person's, "person:ORG:SUB", each with the variants
// its budgets count in (budgetKeyOf). A person is counted within the
// token's organization: one person in two organizations has two counts,
// and a person cannot leave the count of an organization without a token
// of another, which the tenant only issues to its members. The sub is
// last, so no org ID can end inside it.
type callerKeys struct{ person, client, org, model keyVariants }

// keyVariants are a key as each kind of policy counts in it, by variant:
// the key itself (a rate, a day's tokens), then budgetKeyOf's money,
// month's tokens and month's money.
type keyVariants [4]string

// variant is the index in keyVariants of p's key.
func variant(p *Policy) int {
	v := 0
	if p.Money {
		v |= 1
	}
	if p.Monthly {
		v |= 2
	}
	return v
}

// variants is the set of keyVariants a policy set counts in, a bit per
// variant (the key itself always: a rate's, a day's tokens).
func (s policySet) variants() uint8 {
	v := uint8(1)
	for _, b := range s.budgets() {
		if b != nil {
			v |= 1 << variant(b)
		}
	}
	return v
}

// keys cuts the keys, and the variants of each that need says, from one
// string: one allocation where there were up to sixteen, and a request
// plans twice (Admit, then RecordSpend). A key that a store keeps
// (Memory's maps) keeps the others' bytes with it, tens to hundreds of
// bytes.
func (c Caller) keys(need [4]uint8) callerKeys {
	lens := [4]int{len("person:") + len(c.OrgID) + 1 + len(c.Person), len("client:") + len(c.ClientID), len("org:") + len(c.OrgID), len("model:") + len(c.Model)}
	size := 0
	for i, n := range lens {
		for v := range variantPrefixes {
			if need[i]&(1<<v) != 0 {
				size += len(variantPrefixes[v]) + n
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	for i := range lens {
		for v := range variantPrefixes {
			if need[i]&(1<<v) == 0 {
				continue
			}
			b.WriteString(variantPrefixes[v])
			switch i {
			case 0:
				b.WriteString("person:")
				b.WriteString(c.OrgID)
				b.WriteByte(':')
				b.WriteString(c.Person)
			case 1:
				b.WriteString("client:")
				b.WriteString(c.ClientID)
			case 2:
				b.WriteString("org:")
				b.WriteString(c.OrgID)
			case 3:
				b.WriteString("model:")
				b.WriteString(c.Model)
			}
		}
	}
	// The same walk again, cutting each key where it was written.
	s := b.String()
	var k callerKeys
	levels := [4]*keyVariants{&k.person, &k.client, &k.org, &k.model}
	at := 0
	for i, n := range lens {
		for v := range variantPrefixes {
			if need[i]&(1<<v) != 0 {
				end := at + len(variantPrefixes[v]) + n
				levels[i][v] = s[at:end]
				at = end
			}
		}
	}
	return k
}

// variantPrefixes are budgetKeyOf's prefixes, by variant.
var variantPrefixes = [4]string{"", moneyPrefix, monthPrefix, monthPrefix + moneyPrefix}

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

// Seconds rounds d up to whole seconds, as Retry-After and the RateLimit
// field's t parameter say them.
func Seconds(d time.Duration) string {
	return string(AppendSeconds(nil, d))
}

// AppendSeconds appends Seconds(d) to buf.
func AppendSeconds(buf []byte, d time.Duration) []byte {
	return strconv.AppendInt(buf, int64((d+time.Second-1)/time.Second), 10)
}
