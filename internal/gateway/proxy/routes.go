package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

// Route is a proxied route: a net/http pattern ("POST /v1/chat/completions",
// "GET /v1/models/{id}") and what a token needs to call it.
type Route struct {
	Pattern     string   `yaml:"pattern"`
	AnyOf       []string `yaml:"anyOf"`
	AllOf       []string `yaml:"allOf"`
	RequireOrg  bool     `yaml:"requireOrg"`
	Orgs        []string `yaml:"orgs"`
	Description string   `yaml:"description"`

	// MaxBody is the largest request body accepted (default DefaultMaxBody).
	MaxBody ByteSize `yaml:"maxBody"`
	// Upgrade lists the protocols (websocket) a request may switch to; the
	// tunnel ends when the caller's token expires. Empty: none.
	Upgrade []string `yaml:"upgrade"`
	// Errors is the shape of the gateway's refusals on the route:
	// ErrorsOpenAI or ErrorsMessage; empty: OpenAI's under /v1/ (errors.go).
	Errors string `yaml:"errors"`
	// DPoP refuses bearer tokens on the route: DPoP-bound tokens only.
	DPoP bool `yaml:"dpop"`
}

// Requirement is the route's requirement for guard.
func (r Route) Requirement() guard.Requirement {
	return guard.Requirement{AnyOf: r.AnyOf, AllOf: r.AllOf, RequireOrg: r.RequireOrg, Orgs: r.Orgs, DPoP: r.DPoP}
}

// DefaultRoutes guard an OpenAI-compatible model server (vLLM, TGI, Ollama):
// the model list, Chat Completions, Completions, Embeddings and the
// Responses API.
func DefaultRoutes() []Route {
	return []Route{
		{Pattern: "GET /v1/models", AllOf: []string{"read:models"}},
		{Pattern: "GET /v1/models/{model...}", AllOf: []string{"read:models"}},
		{Pattern: "POST /v1/chat/completions", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/completions", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/embeddings", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/responses", AllOf: []string{"invoke:models"}},
	}
}

// RoutesFile is what a routes file declares: the proxied routes and the
// limits on their callers.
type RoutesFile struct {
	Routes []Route
	// Limits are the `limits:` section (see limits.Config); nil when the
	// file has none.
	Limits *limits.Policies
	// Models are the `models:` section (models.go); nil when the file has
	// none, and the gateway proxies as it did without it.
	Models []Model
}

// LoadRoutesFile reads a routes file, reporting every problem of its routes
// and limits at once, with its path:
//
//	routes:
//	  - pattern: POST /v1/chat/completions
//	    allOf: [invoke:models]
//	  - pattern: GET /v1/models
//	    anyOf: [read:models, invoke:models]
//	limits:
//	  perClient: {requests: 10, per: 1s, tokensPerDay: 100000}
//	models:
//	  - {name: llama-3.1-8b, servers: [http://10.0.0.1:8000], price: {input: 0.1, output: 0.2}}
//
// Its limits take clients and organizations by ID only: LoadRoutesFileWith
// resolves their names with the stack outputs.
func LoadRoutesFile(path string) (*RoutesFile, error) {
	return LoadRoutesFileWith(path, nil)
}

// LoadRoutesFileWith is LoadRoutesFile with the stack outputs' names (nil:
// none), which the limits' clients and orgs may then use.
func LoadRoutesFileWith(path string, stack *limits.Stack) (*RoutesFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Routes []Route `yaml:"routes"`
		Limits any     `yaml:"limits"` // limits.Load reads it, with problems of its own
		Models any     `yaml:"models"` // loadModels reads it, likewise
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w (keys: pattern, anyOf, allOf, requireOrg, orgs, description, maxBody, upgrade, errors)", path, err)
	}
	var problems []error
	if len(file.Routes) == 0 {
		problems = append(problems, fmt.Errorf("%s declares no routes (want `routes: [{pattern: ..., allOf: [...]}]`)", path))
	}
	rf := &RoutesFile{Routes: file.Routes}
	env := limits.Env{Stack: stack}
	if file.Models != nil {
		var more []string
		if rf.Models, more = loadModels(jsonTree(file.Models)); len(more) > 0 {
			problems = append(problems, fmt.Errorf("%s: %d problem(s) in the models:\n  %s", path, len(more), strings.Join(more, "\n  ")))
		}
		// The limits are checked against the models as far as they could
		// be read: a bad price is the models' problem, not the limits'.
		env.Models = map[string]bool{}
		for _, m := range rf.Models {
			env.Models[m.Name] = m.Price != nil
		}
	}
	if file.Limits != nil {
		if rf.Limits, err = limits.LoadEnv("limits", jsonTree(file.Limits), env); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", path, err))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return rf, nil
}

// jsonTree makes a YAML value JSON-encodable: mapping keys that YAML read
// as numbers (a numeric client ID) become strings.
func jsonTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonTree(e)
		}
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonTree(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonTree(e)
		}
	}
	return v
}

// validateRoutes reports every problem of a route list at once: patterns
// net/http refuses or that conflict, and empty scope names.
func validateRoutes(routes []Route) error {
	var errs []error
	mux := http.NewServeMux()
	for _, p := range reservedPatterns() {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	for i, r := range routes {
		where := fmt.Sprintf("routes[%d] %q", i, r.Pattern)
		method, path, hasMethod := strings.Cut(r.Pattern, " ")
		if !hasMethod || method == "" || !strings.HasPrefix(path, "/") {
			errs = append(errs, fmt.Errorf("%s: want METHOD /path, such as POST /v1/chat/completions", where))
			continue
		}
		for _, names := range [][]string{r.AnyOf, r.AllOf, r.Orgs} {
			for _, n := range names {
				if strings.TrimSpace(n) == "" || strings.ContainsAny(n, " \t") {
					errs = append(errs, fmt.Errorf("%s: %q is not a scope or organization name", where, n))
				}
			}
		}
		if err := register(mux, r.Pattern); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", where, err))
		}
		for _, err := range hardeningProblems(r) {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	return errors.Join(errs...)
}

// register turns net/http's panic on a bad or conflicting pattern into an error.
func register(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	return nil
}
