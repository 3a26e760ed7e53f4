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
}

// Requirement is the route's requirement for guard.
func (r Route) Requirement() guard.Requirement {
	return guard.Requirement{AnyOf: r.AnyOf, AllOf: r.AllOf, RequireOrg: r.RequireOrg, Orgs: r.Orgs}
}

// DefaultRoutes guard an OpenAI-compatible model server (vLLM, TGI, Ollama).
func DefaultRoutes() []Route {
	return []Route{
		{Pattern: "GET /v1/models", AllOf: []string{"read:models"}},
		{Pattern: "GET /v1/models/{model...}", AllOf: []string{"read:models"}},
		{Pattern: "POST /v1/chat/completions", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/completions", AllOf: []string{"invoke:models"}},
		{Pattern: "POST /v1/embeddings", AllOf: []string{"invoke:models"}},
	}
}

// LoadRoutes reads a routes file:
//
//	routes:
//	  - pattern: POST /v1/chat/completions
//	    allOf: [invoke:models]
//	  - pattern: GET /v1/models
//	    anyOf: [read:models, invoke:models]
func LoadRoutes(path string) ([]Route, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Routes []Route `yaml:"routes"`
		Limits any     `yaml:"limits"` // read by LoadLimits
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w (keys: pattern, anyOf, allOf, requireOrg, orgs, description, maxBody, upgrade)", path, err)
	}
	if len(file.Routes) == 0 {
		return nil, fmt.Errorf("%s declares no routes (want `routes: [{pattern: ..., allOf: [...]}]`)", path)
	}
	return file.Routes, nil
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
