package limits

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// withoutOutputs is the hint of a name given where only IDs can be read.
const withoutOutputs = "to name organizations, give the gateway the stack outputs (-stack-outputs / STACK_OUTPUTS)"

// keyKind is what the keys of clients: or orgs: name.
type keyKind struct {
	section, noun string
	// names are the stack outputs' names of this kind.
	names func(*Stack) stackoutputs.Names
	// badKey is the problem of a key that can be no name or ID of this
	// kind; withOutputs says whether names can be read.
	badKey func(key string, withOutputs bool) string
}

var (
	// clientKeys: a client's name in the stack outputs, or its client ID
	// (the azp of its tokens). Without outputs, every key is taken as an
	// ID, as nothing tells a name from one.
	clientKeys = keyKind{"clients", "client", func(st *Stack) stackoutputs.Names { return st.Clients },
		func(key string, _ bool) string {
			if strings.TrimSpace(key) == "" || strings.ContainsAny(key, " \t\n") {
				return fmt.Sprintf("%q is not a client ID or name (the token's azp, such as the stack output clients.NAME.clientId)", key)
			}
			return ""
		}}
	// orgKeys: an organization's name in the stack outputs, or its ID
	// (the org_id of tokens). Without outputs, only IDs can be read.
	orgKeys = keyKind{"orgs", "organization", func(st *Stack) stackoutputs.Names { return st.Organizations },
		func(key string, withOutputs bool) string {
			if !withOutputs && !stackoutputs.IsOrganizationID(key) {
				return fmt.Sprintf("%q is not an organization ID: want the token's org_id, such as org_4x6L2vBb0pq9; %s", key, withoutOutputs)
			}
			return ""
		}}
)

// resolve maps each key of limits (a clients: or orgs: section, as kind
// says) to the ID tokens carry, through the stack outputs' names when st
// is not nil. Each client or organization is given once.
func resolve(where string, limits map[string]Limit, st *Stack, kind keyKind) (map[string]string, []string) {
	ids := map[string]string{}
	var problems []string
	seen := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(limits)) {
		at := where + "." + kind.section + "." + key
		if p := kind.badKey(key, st != nil); p != "" {
			problems = append(problems, at+": "+p)
			continue
		}
		id := key
		if st != nil {
			names := kind.names(st)
			_, found, ok := names.Find(key)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: a budget for an unknown %s %q: the stack outputs have no %s of that name or ID%s",
					at, kind.noun, key, kind.noun, suggest(key, slices.Sorted(maps.Keys(names)))))
				continue
			}
			id = found
		}
		if other, dup := seen[id]; dup {
			problems = append(problems, fmt.Sprintf("%s: the same %s as %s.%s (%s): give each %s once", at, kind.noun, kind.section, other, id, kind.noun))
			continue
		}
		seen[id], ids[key] = key, id
	}
	return ids, problems
}

// checkModels reports per-model limits for models the routes file does not
// declare, and money budgets while a model has no price: the cost of a call
// to it could not be counted.
func checkModels(where string, c Config, models map[string]bool) []string {
	var problems []string
	names := slices.Sorted(maps.Keys(models))
	if c.PerModel != nil && len(models) == 0 {
		problems = append(problems, where+".perModel: the routes file declares no models: (per-model limits count the calls that name one)")
	}
	for _, name := range slices.Sorted(maps.Keys(c.Models)) {
		if _, ok := models[name]; !ok {
			hint := "; it declares none"
			if len(names) > 0 {
				hint = suggest(name, names)
			}
			problems = append(problems, fmt.Sprintf("%s.models.%s: a limit for a model the routes file's models: does not declare%s", where, name, hint))
		}
	}
	var unpriced []string
	for _, name := range names {
		if !models[name] {
			unpriced = append(unpriced, name)
		}
	}
	for _, at := range moneyBudgets(where, c) {
		switch {
		case len(models) == 0:
			problems = append(problems, at+": a money budget needs the models' prices: the routes file declares no models: (models[].price: {input, output} in USD per million tokens)")
		case len(unpriced) > 0:
			for _, m := range unpriced {
				problems = append(problems, fmt.Sprintf("%s: a money budget, while model %q has no price: give it models[].price: {input, output} (USD per million tokens; 0 is free)", at, m))
			}
		}
	}
	return problems
}

// moneyBudgets are the paths of the money budgets c sets.
func moneyBudgets(where string, c Config) []string {
	var at []string
	add := func(path string, l *Limit) {
		if l == nil {
			return
		}
		if l.USDPerDay != nil {
			at = append(at, path+".usdPerDay")
		}
		if l.USDPerMonth != nil {
			at = append(at, path+".usdPerMonth")
		}
	}
	add(where+".perClient", c.PerClient)
	add(where+".perOrg", c.PerOrg)
	add(where+".perPerson", c.PerPerson)
	add(where+".perModel", c.PerModel)
	for section, m := range map[string]map[string]Limit{"clients": c.Clients, "orgs": c.Orgs, "people": c.People, "models": c.Models} {
		for key, l := range m {
			add(where+"."+section+"."+key, &l)
		}
	}
	slices.Sort(at)
	return at
}

// suggest is a did-you-mean for a name among names, or the list of them.
func suggest(name string, names []string) string {
	if len(names) == 0 {
		return " (it has none)"
	}
	if s := strictjson.Suggest(name, names); strings.HasPrefix(s, "; did you mean") {
		return s
	}
	return " (it has: " + strings.Join(names, ", ") + ")"
}
