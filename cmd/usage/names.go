package main

import (
	"fmt"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// names are the stack's organizations and clients by name, for reports
// that read as the stack does ("acme", "batch-scorer") rather than as the
// tokens do (org_4x6L2vBb0pq9, a client ID).
type names struct {
	orgs, clients stackoutputs.Names
}

func loadNames(path string) (*names, error) {
	out, err := stackoutputs.Load(path)
	if err != nil {
		return nil, fmt.Errorf("-stack-outputs: %w", err)
	}
	return &names{orgs: out.Organizations, clients: out.ClientIDs()}, nil
}

// resolve turns -org and -client given by name into the IDs the ledger
// holds; an ID passes as it is. A value that is neither is an error that
// lists the names there are.
func (n *names) resolve(f *ledger.Filter) error {
	var problems []string
	for _, v := range []struct {
		flag, noun string
		value      *string
		names      stackoutputs.Names
	}{
		{"-org", "organization", &f.Org, n.orgs},
		{"-client", "client", &f.Client, n.clients},
	} {
		if *v.value == "" {
			continue
		}
		_, id, ok := v.names.Find(*v.value)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s %q: the stack outputs have no %s of that name or ID (%s)", v.flag, *v.value, v.noun, v.names.Listed()))
			continue
		}
		*v.value = id
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
		if name := n.orgs.NameOf(totals[i].Org); name != "" {
			totals[i].Org = name
		}
		if name := n.clients.NameOf(totals[i].Client); name != "" {
			totals[i].Client = name
		}
	}
}
