package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// minimalEnv is the least environment the gateway starts with (a tenant,
// an audience, an upstream), with the given key, value pairs set over it.
func minimalEnv(kv ...string) map[string]string {
	m := map[string]string{"AUTH0_DOMAIN": "t.us.auth0.com", "AUTH0_AUDIENCE": "https://a/", "UPSTREAM_URL": "http://127.0.0.1:9"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestBadConfigurationStopsAtStart(t *testing.T) {
	routes := filepath.Join(t.TempDir(), "routes.yaml")
	os.WriteFile(routes, []byte("routes:\n  - pattern: /v1/models\n"), 0o644)
	err := run(context.Background(), []string{"-routes", routes}, env(nil), io.Discard, nil)
	if err == nil {
		t.Fatal("started without configuration")
	}
	for _, want := range []string{"upstream", "domain", "audience is empty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	err = run(context.Background(), []string{"-routes", routes}, env(minimalEnv()), io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), `routes[0] "/v1/models": want METHOD /path`) {
		t.Errorf("bad route: %v", err)
	}
}

func TestServesFromStackOutputsAndShutsDown(t *testing.T) {
	iss := testissuer.New(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":[]}`) }))
	defer upstream.Close()
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	b, _ := json.Marshal(map[string]any{"audience": iss.Audience, "issuer": iss.Issuer, "jwksUri": iss.JWKSURL(), "tenantDomain": "tenant.test"})
	os.WriteFile(outputs, b, 0o644)

	addr, stop := start(t, []string{"-stack-outputs", outputs, "-upstream", upstream.URL, "-listen", "127.0.0.1:0"}, env(nil), io.Discard)
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+iss.Token(map[string]any{"scope": "read:models"}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"data":[]}` {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	stop() // and the shutdown is clean
}

func TestHardeningFlags(t *testing.T) {
	err := run(context.Background(), []string{"-signing-alg", "HS256", "-read-timeout", "-1s", "-max-conns", "-1"}, env(minimalEnv()), io.Discard, nil)
	if err == nil {
		t.Fatal("bad hardening flags were accepted")
	}
	for _, want := range []string{`signing algorithm "HS256": want RS256 or PS256`, "-read-timeout -1s", "-max-conns -1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	o, err := parse(nil, env(minimalEnv("AUTH0_SIGNING_ALG", "PS256")), io.Discard)
	if err != nil || o.Tenant.SigningAlg != "PS256" {
		t.Errorf("AUTH0_SIGNING_ALG: %q, %v", o.Tenant.SigningAlg, err)
	}
	o, err = parse([]string{"-signing-alg", "RS256", "-write-timeout", "5m", "-max-conns", "64"}, env(minimalEnv("AUTH0_SIGNING_ALG", "PS256")), io.Discard)
	if err != nil || o.Tenant.SigningAlg != "RS256" || o.Server.WriteTimeout != 5*time.Minute || o.Server.MaxConns != 64 {
		t.Errorf("flags: %+v, %v", o, err)
	}
}
