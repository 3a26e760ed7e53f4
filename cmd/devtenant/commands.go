package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// gatewayListen is where the suggested gateway listens, and so where the
// suggested calls go.
const gatewayListen = "127.0.0.1:8080"

// person is the test user the banner suggests logging in as: a member of
// an organization, with their roles' permissions there.
type person struct {
	email, org  string
	permissions []string
	models      []string // their roles' models
}

// firstPerson is the first test user who is a member of an organization
// (in the stack's order), preferring one whose roles let them call a
// model; nil if no test user is a member of any.
func firstPerson(cfg *stackconfig.Config) *person {
	var first *person
	for _, o := range cfg.Organizations {
		for _, m := range o.Members {
			if !slices.ContainsFunc(cfg.TestUsers, func(u stackconfig.TestUserConfig) bool { return strings.EqualFold(u.Email, m.Email) }) {
				continue
			}
			p := &person{email: m.Email, org: o.Name}
			p.permissions, p.models = permissions(cfg, m.Roles)
			if callFlags(p.permissions, p.models) != "" {
				return p
			}
			if first == nil {
				first = p
			}
		}
	}
	return first
}

// permissions are the permissions and the models that roles give.
func permissions(cfg *stackconfig.Config, roles []string) (perms, models []string) {
	for _, r := range cfg.Roles {
		if slices.Contains(roles, r.Name) {
			perms, models = append(perms, r.Permissions...), append(models, r.Models...)
		}
	}
	return perms, models
}

// nextCommands are the lines the banner suggests, each a command to paste
// into a POSIX shell (or a # comment): the gateway in front of the model
// server, a call by each M2M client, and a person's login and call. Values
// are quoted where a shell would split or expand them; a test runs every
// line through bash and its flags through the real commands.
func nextCommands(sum summary, outputs, upstream string) []string {
	out := shellQuote(outputs)
	lines := []string{
		"# the gateway, in front of the model server",
		fmt.Sprintf("go run ./cmd/gateway -stack-outputs %s -upstream %s -listen %s", out, shellQuote(upstream), gatewayListen),
	}
	if len(sum.clients) > 0 {
		lines = append(lines, "# a machine: an M2M client, with its secret from the outputs file")
	}
	for _, c := range sum.clients {
		filter := "." + stackoutputs.KeyClientSecrets + "[" + jsonString(c.Name) + "]"
		org := ""
		if c.OrganizationUsage == "require" && len(c.Organizations) > 0 {
			org = " -org " + shellQuote(c.Organizations[0]) // its grant gives tokens only for an organization
		}
		lines = append(lines, fmt.Sprintf(`AUTH0_CLIENT_SECRET="$(jq -r %s %s)" go run ./cmd/token -stack-outputs %s -client %s%s%s`,
			shellQuote(filter), out, out, shellQuote(c.Name), org, callFlags(c.Scopes, c.Models)))
	}
	if p := sum.person; p != nil {
		org := shellQuote(p.org)
		lines = append(lines,
			fmt.Sprintf("# a person: log in in the browser as %s with the test users' password, then call as them", p.email),
			fmt.Sprintf("go run ./cmd/token login -stack-outputs %s -org %s", out, org))
		if call := callFlags(p.permissions, p.models); call != "" {
			lines = append(lines, fmt.Sprintf("go run ./cmd/token -stack-outputs %s -org %s%s", out, org, call))
		}
	}
	return lines
}

// callFlags are the token command's flags for a call through the gateway
// that scopes (or permissions) allow, to the first of models (the echo
// server's own model for a stack that declares none); "" if they allow
// neither route.
func callFlags(scopes, models []string) string {
	switch {
	case slices.Contains(scopes, "read:models"):
		return " -call http://" + gatewayListen + "/v1/models"
	case slices.Contains(scopes, "invoke:models"):
		model := "echo"
		if len(models) > 0 {
			model = models[0]
		}
		return " -method POST -data " + shellQuote(`{"model":"`+model+`","messages":[{"role":"user","content":"hello"}]}`) +
			" -call http://" + gatewayListen + "/v1/chat/completions"
	}
	return ""
}

// shellQuote quotes s for a POSIX shell, unless it is made only of
// characters no shell treats specially.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:@%+=,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// jsonString is s as a JSON string literal, which jq reads as a string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
