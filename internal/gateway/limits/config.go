package limits

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
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
//	  perOrg: {requests: 100, tokensPerDay: 20000000, usdPerMonth: 500}
//	  clients:
//	    batch-scorer: {requests: 50, tokensPerDay: 5000000}
//	  orgs:
//	    acme: {tokensPerDay: 100000000}
//	  perPerson: {requests: 2, tokensPerDay: 200000, usdPerDay: 1.50}
//	  people:
//	    "auth0|abc": {tokensPerDay: 1000000}
//	  perModel: {requests: 100}
//	  models:
//	    llama-3.1-70b: {usdPerDay: 200}
//
// perClient applies to each client (the token's azp), perOrg to each
// organization (org_id), perPerson to each person (a token's sub, within
// its org_id: M2M tokens count per client only) and perModel to each model
// (every call to it, whoever makes it) on its own; an entry of clients,
// orgs, people or models replaces, key by key, the default for that one
// client, organization, person or model. clients and orgs take a name of
// the stack outputs or an ID (see Env).
type Config struct {
	PerClient *Limit           `json:"perClient"`
	PerOrg    *Limit           `json:"perOrg"`
	PerPerson *Limit           `json:"perPerson"`
	PerModel  *Limit           `json:"perModel"`
	Clients   map[string]Limit `json:"clients"`
	Orgs      map[string]Limit `json:"orgs"`
	People    map[string]Limit `json:"people"`
	Models    map[string]Limit `json:"models"`
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
	// USDPerDay and USDPerMonth are money budgets, in US dollars per UTC
	// day and month: each response costs its input tokens at its model's
	// price.input and its output tokens at price.output (per million
	// tokens, the routes file's models:). Counted in micro-dollars.
	USDPerDay   *float64 `json:"usdPerDay"`
	USDPerMonth *float64 `json:"usdPerMonth"`
}

// DefaultPer is the period of a rate that names none.
const DefaultPer = time.Second

// MaxTokensPerDay is the largest budget: Redis's admission script compares
// counts as Lua numbers (doubles), which are exact up to 2^53.
const MaxTokensPerDay = 1 << 53

// MaxUSD is the largest money budget: its micro-dollars must be exact as
// a Lua number, as token budgets (MaxTokensPerDay).
const MaxUSD = MaxTokensPerDay / 1e6

// Env is what the limits are checked and resolved against besides
// themselves: the routes file's models and the stack outputs.
type Env struct {
	// Models are the routes file's models by name, each with whether it
	// has a price; nil when the file declares none.
	Models map[string]bool
	// Stack resolves the names of organizations and clients; nil without
	// stack outputs, when clients and orgs take IDs only.
	Stack *Stack
}

// Stack is what the stack outputs name.
type Stack struct {
	// Organizations map names to IDs (the outputs' organizations).
	Organizations stackoutputs.Names
	// Clients map names to client IDs: the outputs' clients, and the
	// applications people log in through (webApp, cliApp) by their name
	// (stackoutputs.Outputs.ClientIDs).
	Clients stackoutputs.Names
}

// Load decodes tree (the `limits:` section, as a YAML or JSON decoder left
// it) strictly and checks it, without models or stack outputs: see LoadEnv.
func Load(where string, tree any) (*Policies, error) {
	return LoadEnv(where, tree, Env{})
}

// LoadEnv decodes tree strictly, checks it against env and resolves the
// names of its clients and organizations. Every problem is reported at
// once, with its path under where ("limits.clients.ID.burst").
func LoadEnv(where string, tree any, env Env) (*Policies, error) {
	raw, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	var cfg Config
	var problems []string
	for _, p := range strictjson.Decode(where, string(raw), &cfg) {
		problems = append(problems, p.String())
	}
	policies, more := cfg.compile(where, env)
	problems = append(problems, more...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d problem(s) in the limits:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return policies, nil
}

func (c Config) compile(where string, env Env) (*Policies, []string) {
	var problems []string
	check := func(at string, l *Limit) {
		if l != nil {
			problems = append(problems, l.check(at)...)
		}
	}
	check(where+".perClient", c.PerClient)
	check(where+".perOrg", c.PerOrg)
	check(where+".perPerson", c.PerPerson)
	check(where+".perModel", c.PerModel)
	clients, more := resolve(where, c.Clients, env.Stack, clientKeys)
	problems = append(problems, more...)
	orgs, more := resolve(where, c.Orgs, env.Stack, orgKeys)
	problems = append(problems, more...)
	for _, id := range slices.Sorted(maps.Keys(c.Clients)) {
		l := c.Clients[id]
		check(where+".clients."+id, &l)
	}
	for _, id := range slices.Sorted(maps.Keys(c.Orgs)) {
		l := c.Orgs[id]
		check(where+".orgs."+id, &l)
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
	problems = append(problems, checkModels(where, c, env.Models)...)
	for _, name := range slices.Sorted(maps.Keys(c.Models)) {
		l := c.Models[name]
		check(where+".models."+name, &l)
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, problems
	}
	p := &Policies{clients: map[string]policySet{}, orgs: map[string]policySet{}, people: map[string]policySet{}, models: map[string]policySet{}}
	add := func(at string, kind Kind, def, override *Limit) policySet {
		merged := merge(def, override)
		if merged.Requests == nil && (merged.Burst != nil || merged.Per != "") {
			problems = append(problems, at+": burst and per need requests (here or in the default)")
		}
		return compileSet(kind, merged)
	}
	p.client = add(where+".perClient", ClientPolicy, nil, c.PerClient)
	p.org = add(where+".perOrg", OrgPolicy, nil, c.PerOrg)
	p.person = add(where+".perPerson", PersonPolicy, nil, c.PerPerson)
	p.model = add(where+".perModel", ModelPolicy, nil, c.PerModel)
	for key, l := range c.Clients {
		p.clients[clients[key]] = add(where+".clients."+key, ClientPolicy, c.PerClient, &l)
	}
	for key, l := range c.Orgs {
		p.orgs[orgs[key]] = add(where+".orgs."+key, OrgPolicy, c.PerOrg, &l)
	}
	for sub, l := range c.People {
		p.people[sub] = add(where+".people."+sub, PersonPolicy, c.PerPerson, &l)
	}
	for name, l := range c.Models {
		p.models[name] = add(where+".models."+name, ModelPolicy, c.PerModel, &l)
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
		m.USDPerDay = cmpOr(l.USDPerDay, m.USDPerDay)
		m.USDPerMonth = cmpOr(l.USDPerMonth, m.USDPerMonth)
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
	problems = append(problems, checkUSD(at+".usdPerDay", l.USDPerDay)...)
	problems = append(problems, checkUSD(at+".usdPerMonth", l.USDPerMonth)...)
	if *l == (Limit{}) {
		problems = append(problems, at+": sets no limit; want requests (with per and burst), tokensPerDay, tokensPerMonth, usdPerDay or usdPerMonth")
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

func checkUSD(at string, usd *float64) []string {
	switch {
	case usd == nil:
		return nil
	case math.IsNaN(*usd) || *usd <= 0:
		return []string{fmt.Sprintf("%s: want more than 0 USD, got %v; leave it out for no budget", at, *usd)}
	case *usd > MaxUSD:
		return []string{fmt.Sprintf("%s: want at most %v USD (2^53 micro-dollars), got %v; leave it out for no budget", at, float64(MaxUSD), *usd)}
	case micros(*usd) < 1:
		return []string{fmt.Sprintf("%s: want at least 0.000001 USD (one micro-dollar, what the gateway counts in), got %v", at, *usd)}
	}
	return nil
}

// micros is usd in whole micro-dollars.
func micros(usd float64) int64 { return int64(math.Round(usd * 1e6)) }

// parsePer reads a period: whole seconds, as the RateLimit-Policy field's w
// parameter can only say whole seconds.
func parsePer(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d%time.Second != 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%q is not a period: want whole seconds from 1s to 24h, such as 1s, 1m or 1h", s)
	}
	return d, nil
}
