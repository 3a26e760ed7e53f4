package proxy

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// Model is a model the gateway routes by name: a request whose JSON body
// names it goes to one of its servers, if the caller's token grants its
// permission (modelperm.Permission). The routes file's `models:` section:
//
//	models:
//	  - name: llama-3.1-8b
//	    servers: [http://10.0.0.1:8000, http://10.0.0.2:8000]
//	    price: {input: 0.10, output: 0.20}
type Model struct {
	Name string
	// Servers are the base URLs of the OpenAI-compatible servers that
	// serve the model; requests are balanced across them (balance.go).
	Servers []*url.URL
	// Price is what the model costs; nil when the file gives none.
	Price *Price
}

// Price is a model's price in USD per million tokens, of the prompt
// (input) and of the completion (output).
type Price struct {
	Input, Output float64
}

var (
	modelKeys = []string{"name", "servers", "price"}
	priceKeys = []string{"input", "output"}
)

// loadModels reads the `models:` section (a YAML tree, as jsonTree leaves
// it), reporting every problem with its path: models[1] "llama".servers[0].
func loadModels(tree any) ([]Model, []string) {
	list, ok := tree.([]any)
	if !ok || len(list) == 0 {
		return nil, []string{"models: want a list of {name, servers, price} (without the section, every request goes to -upstream)"}
	}
	var models []Model
	var problems []string
	seen := map[string]int{}
	for i, elem := range list {
		at := fmt.Sprintf("models[%d]", i)
		obj, ok := elem.(map[string]any)
		if !ok {
			problems = append(problems, at+": want {name: ..., servers: [...], price: {input: ..., output: ...}}")
			continue
		}
		name, _ := obj["name"].(string)
		if name != "" {
			at += fmt.Sprintf(" %q", name)
		}
		add := func(format string, args ...any) { problems = append(problems, at+fmt.Sprintf(format, args...)) }
		unknownKeys(obj, modelKeys, add)
		switch err := modelperm.CheckName(name); {
		case obj["name"] == nil:
			add(": name is missing: want the model as clients name it in a request's \"model\"")
		case err != nil:
			add(".name: %v", err)
		}
		if first, dup := seen[name]; dup && name != "" {
			add(": the name of models[%d] too: give each model once, with all its servers", first)
		} else {
			seen[name] = i
		}
		m := Model{Name: name}
		m.Servers = serverURLs(obj["servers"], func(format string, args ...any) { add(".servers"+format, args...) })
		if p, ok := obj["price"]; ok {
			m.Price = price(p, func(format string, args ...any) { add(".price"+format, args...) })
		}
		models = append(models, m)
	}
	return models, problems
}

func unknownKeys(obj map[string]any, known []string, add func(string, ...any)) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			add(": unknown key %q%s", k, strictjson.Suggest(k, known))
		}
	}
}

// serverURLs reads a model's servers: absolute http(s) base URLs, without
// query, fragment or user information (credentials belong in no URL).
func serverURLs(v any, add func(string, ...any)) []*url.URL {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		add(": want at least one server base URL, such as [http://10.0.0.1:8000]")
		return nil
	}
	var servers []*url.URL
	for i, s := range list {
		raw, _ := s.(string)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			add("[%d]: %q is not a server base URL: want an absolute http(s) URL such as http://10.0.0.1:8000", i, fmt.Sprint(s))
			continue
		}
		servers = append(servers, u)
	}
	return servers
}

// price reads {input, output}, both required, in USD per million tokens.
func price(v any, add func(string, ...any)) *Price {
	obj, ok := v.(map[string]any)
	if !ok {
		add(": want {input: USD, output: USD} per million tokens, such as {input: 0.15, output: 0.60}")
		return nil
	}
	unknownKeys(obj, priceKeys, add)
	p := &Price{}
	for _, f := range []struct {
		key string
		dst *float64
	}{{"input", &p.Input}, {"output", &p.Output}} {
		n, ok := number(obj[f.key])
		if !ok || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			add(".%s: want a number of USD per million tokens, 0 or more, got %s", f.key, describe(obj[f.key]))
		}
		*f.dst = n
	}
	return p
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the string %q", v)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}
