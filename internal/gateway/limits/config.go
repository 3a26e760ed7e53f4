package limits

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Config is the `limits:` section of the routes file:
//
//	limits:
//	  perClient: {requests: 10, per: 1s, burst: 20, tokensPerDay: 1000000}
//	  perOrg: {requests: 100, tokensPerDay: 20000000}
//	  clients:
//	    CLIENT_ID: {requests: 50, tokensPerDay: 5000000}
//	  orgs:
//	    org_ID: {tokensPerDay: 100000000}
//	  perPerson: {requests: 2, tokensPerDay: 200000}
//	  people:
//	    "auth0|abc": {tokensPerDay: 1000000}
//
// perClient applies to each client (the token's azp), perOrg to each
// organization (org_id) and perPerson to each person (a token's sub, within
// its org_id: M2M tokens count per client only) on its own; an entry of
// clients, orgs or people replaces, key by key, the default for that one
// client, organization or person.
type Config struct {
	PerClient *Limit           `json:"perClient"`
	PerOrg    *Limit           `json:"perOrg"`
	PerPerson *Limit           `json:"perPerson"`
	Clients   map[string]Limit `json:"clients"`
	Orgs      map[string]Limit `json:"orgs"`
	People    map[string]Limit `json:"people"`
}

// Limit is what one client or organization may use. Unset keys have no limit
// (in perClient and perOrg) or take the default's value (in clients and orgs).
type Limit struct {
	// Requests is how many requests are allowed per Per, on average.
	Requests *int `json:"requests"`
	// Per is the period of Requests, in whole seconds: "1s", "1m", "1h".
	Per string `json:"per"`
	// Burst is how many requests may come at once; default Requests.
	Burst *int `json:"burst"`
	// TokensPerDay is the model tokens (the `usage` of responses) allowed
	// per UTC day.
	TokensPerDay *int64 `json:"tokensPerDay"`
	// TokensPerMonth is the same per UTC month.
	TokensPerMonth *int64 `json:"tokensPerMonth"`
}

// DefaultPer is the period of a rate that names none.
const DefaultPer = time.Second

// MaxTokensPerDay is the largest budget: Redis's admission script compares
// counts as Lua numbers (doubles), which are exact up to 2^53.
const MaxTokensPerDay = 1 << 53

// Load decodes tree (the `limits:` section, as a YAML or JSON decoder left
// it) strictly and checks it. Every problem is reported at once, with its
// path under where ("limits.clients.ID.burst").
func Load(where string, tree any) (*Policies, error) {
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	var cfg Config
	var problems []string
	for _, p := range strictjson.Decode(where, string(raw), &cfg) {
		problems = append(problems, p.String())
	}
	policies, more := cfg.compile(where)
	problems = append(problems, more...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d problem(s) in the limits:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return policies, nil
}

func (c Config) compile(where string) (*Policies, []string) {
	var problems []string
	check := func(at string, l *Limit) {
		if l != nil {
			problems = append(problems, l.check(at)...)
		}
	}
	check(where+".perClient", c.PerClient)
	check(where+".perOrg", c.PerOrg)
	check(where+".perPerson", c.PerPerson)
	for _, id := range slices.Sorted(maps.Keys(c.Clients)) {
		l := c.Clients[id]
		at := where + ".clients." + id
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, " \t\n") {
			problems = append(problems, fmt.Sprintf("%s: %q is not a client ID (the token's azp, such as the stack output clients.NAME.clientId)", at, id))
		}
		check(at, &l)
	}
	for _, id := range slices.Sorted(maps.Keys(c.Orgs)) {
		l := c.Orgs[id]
		at := where + ".orgs." + id
		if !stackoutputs.IsOrganizationID(id) {
			problems = append(problems, fmt.Sprintf("%s: %q is not an organization ID: want the token's org_id, such as org_4x6L2vBb0pq9 (the stack output organizations maps names to IDs)", at, id))
		}
		check(at, &l)
	}
	for _, sub := range slices.Sorted(maps.Keys(c.People)) {
		l := c.People[sub]
		at := where + ".people." + sub
		switch {
		case strings.TrimSpace(sub) == "" || strings.ContainsAny(sub, " \t\n"):
			problems = append(problems, fmt.Sprintf("%s: %q is not a person: want the sub of their tokens, such as auth0|64b1f0c2e4d3a5b6c7d8e9f0", at, sub))
		case strings.HasSuffix(sub, "@clients"):
			problems = append(problems, fmt.Sprintf("%s: %q is an M2M client's sub, which counts per client: move it to clients.%s", at, sub, strings.TrimSuffix(sub, "@clients")))
		}
		check(at, &l)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	p := &Policies{clients: map[string]policySet{}, orgs: map[string]policySet{}, people: map[string]policySet{}}
	add := func(at string, kind Kind, def, override *Limit) policySet {
		merged := merge(def, override)
		if merged.Requests == nil && (merged.Burst != nil || merged.Per != "") {
			problems = append(problems, at+": burst and per need requests (here or in the default)")
		}
		return compileSet(kind, merged)
	}
	p.client = add(where+".perClient", ClientPolicy, nil, c.PerClient)
	p.org = add(where+".perOrg", OrgPolicy, nil, c.PerOrg)
	for id, l := range c.Clients {
		p.clients[id] = add(where+".clients."+id, ClientPolicy, c.PerClient, &l)
	}
	for id, l := range c.Orgs {
		p.orgs[id] = add(where+".orgs."+id, OrgPolicy, c.PerOrg, &l)
	}
	p.person = add(where+".perPerson", PersonPolicy, nil, c.PerPerson)
	for sub, l := range c.People {
		p.people[sub] = add(where+".people."+sub, PersonPolicy, c.PerPerson, &l)
	}
	slices.Sort(problems) // map order
	return p, problems
}

// merge returns def with the keys override sets replaced.
func merge(def, override *Limit) Limit {
	var m Limit
	for _, l := range []*Limit{def, override} {
		if l == nil {
			continue
		}
		m.Requests = cmpOr(l.Requests, m.Requests)
		m.Burst = cmpOr(l.Burst, m.Burst)
		m.TokensPerDay = cmpOr(l.TokensPerDay, m.TokensPerDay)
		m.TokensPerMonth = cmpOr(l.TokensPerMonth, m.TokensPerMonth)
		if l.Per != "" {
			m.Per = l.Per
		}
	}
	return m
}

func cmpOr[T any](v, def *T) *T {
	if v != nil {
		return v
	}
	return def
}

// check reports the problems of one limit on its own: an override's burst
// may rely on the default's requests, so only values are checked here.
func (l *Limit) check(at string) []string {
	var problems []string
	if l.Requests != nil && *l.Requests < 1 {
		problems = append(problems, fmt.Sprintf("%s.requests: want at least 1, got %d (to stop a caller, revoke its grant in the tenant)", at, *l.Requests))
	}
	if l.Burst != nil && *l.Burst < 1 {
		problems = append(problems, fmt.Sprintf("%s.burst: want at least 1, got %d", at, *l.Burst))
	}
	if l.Per != "" {
		if _, err := parsePer(l.Per); err != nil {
			problems = append(problems, fmt.Sprintf("%s.per: %v", at, err))
		}
	}
	problems = append(problems, checkBudget(at+".tokensPerDay", l.TokensPerDay)...)
	problems = append(problems, checkBudget(at+".tokensPerMonth", l.TokensPerMonth)...)
	if l.Requests == nil && l.Burst == nil && l.Per == "" && l.TokensPerDay == nil && l.TokensPerMonth == nil {
		problems = append(problems, at+": sets no limit; want requests (with per and burst), tokensPerDay or tokensPerMonth")
	}
	return problems
}

func checkBudget(at string, n *int64) []string {
	switch {
	case n == nil:
		return nil
	case *n < 1:
		return []string{fmt.Sprintf("%s: want at least 1, got %d", at, *n)}
	case *n > MaxTokensPerDay:
		return []string{fmt.Sprintf("%s: want at most %d (2^53), got %d; leave it out for no budget", at, int64(MaxTokensPerDay), *n)}
	}
	return nil
}

// parsePer reads a period: whole seconds, as the RateLimit-Policy field's w
// parameter can only say whole seconds.
func parsePer(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d%time.Second != 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%q is not a period: want whole seconds from 1s to 24h, such as 1s, 1m or 1h", s)
	}
	return d, nil
}
