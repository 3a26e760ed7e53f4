package strictjson

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	known := []string{"model-api-auth0:api", "model-api-auth0:organizations", "model-api-auth0:clients"}
	cases := []struct{ name, want string }{
		{"model-api-auth0:organisations", `did you mean "model-api-auth0:organizations"?`},
		{"model-api-auth0:org", `did you mean "model-api-auth0:organizations"?`},
		{"model-api-auth0:client", `did you mean "model-api-auth0:clients"?`},
		{"model-api-auth0:zzzzzzzzzzzz", "known keys: model-api-auth0:api, "},
	}
	for _, c := range cases {
		if got := Suggest(c.name, known); !strings.Contains(got, c.want) {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestDecodeReportsEveryProblemWithPaths(t *testing.T) {
	type scope struct {
		Name string `json:"name"`
	}
	type api struct {
		Name   string            `json:"name"`
		TTL    *int              `json:"ttl"`
		Scopes []scope           `json:"scopes"`
		Tags   map[string]string `json:"tags"`
	}
	var v api
	problems := Decode("k", `{"nme":"x","ttl":true,"scopes":[{"name":"a","nam":1},{"name":5}],"tags":{"a":1}}`, &v)
	want := []string{ // unknown keys first, then the fields in declaration order
		`k: unknown key "nme"; did you mean "name"?`,
		`k.ttl: want a whole number, got true`,
		`k.scopes[a]: unknown key "nam"; did you mean "name"?`,
		`k.scopes[1].name: want a string, got the number 5`,
		`k.tags.a: want a string, got the number 1`,
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var unread []string
	for _, p := range problems {
		if p.Unread {
			unread = append(unread, p.Path)
		}
	}
	if strings.Join(unread, " ") != "k.ttl k.scopes[1].name k.tags.a" {
		t.Errorf("unread paths %v: values of the wrong kind are unread, unknown keys are not", unread)
	}
	if len(v.Scopes) != 2 || v.Scopes[0].Name != "a" {
		t.Errorf("what could be read was not filled: %+v", v)
	}
	if p := Decode("k", `{"name":"ok","ttl":5}`, &v); p != nil || v.Name != "ok" || *v.TTL != 5 {
		t.Errorf("valid input: problems %v, value %+v", p, v)
	}
}

// encoding/json matches keys regardless of case; configuration keys must
// match exactly.
func TestKeysAreCaseSensitive(t *testing.T) {
	var v struct {
		Name string `json:"name"`
	}
	if p := Decode("k", `{"Name":"x"}`, &v); len(p) != 1 || !strings.Contains(p[0].Message, `unknown key "Name"; did you mean "name"?`) {
		t.Errorf("problems %v", p)
	}
}
