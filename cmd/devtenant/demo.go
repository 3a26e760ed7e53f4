package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// The demo's prices (USD per million tokens) and budgets: small enough that
// a person who keeps calling sees their budget on the page move and run
// out, large enough that trying the demo never does by accident.
const (
	demoPriceInput  = 0.50
	demoPriceOutput = 1.50
	demoLimits      = `limits:
  # Each person on their own: a few requests a second, and a day's budget
  # in tokens and in money (the page shows what is left).
  perPerson: {requests: 5, per: 1s, burst: 20, tokensPerDay: 200000, usdPerDay: 0.25}
  # Each organization: a month's money.
  perOrg: {usdPerMonth: 20}
`
)

// demoRoutes is the routes file of -gateway when the stack declares models
// and no -routes is given: the OpenAI-compatible routes, every model of the
// stack on the echo model server with a price, and budgets per person and
// organization, so that the demo shows models enforced (a person calls
// only their roles' models), routed and charged, as a platform runs them.
func demoRoutes(models []string, echoAddr string) string {
	var b strings.Builder
	b.WriteString("# Written by devtenant -gateway from the stack's models (model-api-auth0:models);\n" +
		"# give -routes FILE to use another. The layout: docs/gateway.md, examples/routes-models.yaml.\nroutes:\n")
	for _, r := range proxy.DefaultRoutes() {
		fmt.Fprintf(&b, "  - {pattern: %q", r.Pattern)
		if len(r.AllOf) > 0 {
			fmt.Fprintf(&b, ", allOf: [%s]", strings.Join(r.AllOf, ", "))
		}
		if len(r.AnyOf) > 0 {
			fmt.Fprintf(&b, ", anyOf: [%s]", strings.Join(r.AnyOf, ", "))
		}
		b.WriteString("}\n")
	}
	b.WriteString("models:\n")
	for _, m := range models {
		fmt.Fprintf(&b, "  - {name: %q, servers: [\"http://%s\"], price: {input: %.2f, output: %.2f}}\n", m, echoAddr, demoPriceInput, demoPriceOutput)
	}
	b.WriteString(demoLimits)
	return b.String()
}

// writeDemoFiles writes the demo's routes file beside the outputs and
// names its ledger there, unless the flags chose others: what -gateway
// runs with is a file people can read and copy.
func writeDemoFiles(s *settings, models []string, echoAddr string) error {
	base := strings.TrimSuffix(s.outputs, ".outputs.json")
	if s.routes == "" && len(models) > 0 {
		s.routes = base + ".routes.yaml"
		if err := os.MkdirAll(filepath.Dir(s.routes), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(s.routes, []byte(demoRoutes(models, echoAddr)), 0o600); err != nil {
			return fmt.Errorf("the demo's routes file: %w", err)
		}
	}
	switch s.ledger {
	case "":
		s.ledger = "sqlite:" + base + ".ledger.db"
	case "off":
		s.ledger = ""
	}
	return nil
}
