package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// names are the stack's organizations and clients by name, for reports
// that read as the stack does ("acme", "batch-scorer") rather than as the
// tokens do (org_4x6L2vBb0pq9, a client ID).
type names struct {
	orgIDs, clientIDs     map[string]string // name to ID
	orgNames, clientNames map[string]string // ID to name
}

func loadNames(path string) (*names, error) {
	out, err := stackoutputs.Load(path)
	if err != nil {
		return nil, fmt.Errorf("-stack-outputs: %w", err)
	}
	n := &names{orgIDs: map[string]string(out.Organizations), clientIDs: out.ClientIDs(), orgNames: map[string]string{}, clientNames: map[string]string{}}
	for name, id := range n.orgIDs {
		n.orgNames[id] = name
	}
	for name, id := range n.clientIDs {
		n.clientNames[id] = name
	}
	return n, nil
}

// resolve turns -org and -client given by name into the IDs the ledger
// holds; an ID passes as it is. A value that is neither is an error that
// lists the names there are.
func (n *names) resolve(f *ledger.Filter) error {
	var problems []string
	for _, v := range []struct {
		flag        string
		value       *string
		ids, byID   map[string]string
		description string
	}{
		{"-org", &f.Org, n.orgIDs, n.orgNames, "organization"},
		{"-client", &f.Client, n.clientIDs, n.clientNames, "client"},
	} {
		if *v.value == "" {
			continue
		}
		if id, ok := v.ids[*v.value]; ok {
			*v.value = id
		} else if _, ok := v.byID[*v.value]; !ok {
			problems = append(problems, fmt.Sprintf("%s %q: the stack outputs have no %s of that name or ID (they have: %s)",
				v.flag, *v.value, v.description, strings.Join(slices.Sorted(maps.Keys(v.ids)), ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// rename shows the stack's names in place of the IDs it knows; IDs it
// does not know (a client deleted since) stay as they are.
func (n *names) rename(totals []ledger.Total) {
	for i := range totals {
		if name, ok := n.orgNames[totals[i].Org]; ok {
			totals[i].Org = name
		}
		if name, ok := n.clientNames[totals[i].Client]; ok {
			totals[i].Client = name
		}
	}
}
