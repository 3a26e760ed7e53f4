package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Two gateway processes on one Redis share their limits: a client's burst
// and its daily tokens are counted once, whichever process it calls.
func TestTwoProcessesShareLimitsInRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the gateway and runs two processes")
	}
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	iss := testissuer.New(t)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			io.WriteString(w, `{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":30,"total_tokens":40}}`)
			return
		}
		io.WriteString(w, `{"data":[]}`)
	}))
	defer upstream.Close()
	routes := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(routes, []byte(`routes:
  - pattern: GET /v1/models
    anyOf: [read:models]
  - pattern: POST /v1/chat/completions
    allOf: [invoke:models]
limits:
  perClient: {requests: 1, per: 1h, burst: 3, tokensPerDay: 100}
`), 0o644))

	bin := buildGateway(t)
	env := []string{"AUTH0_ISSUER=" + iss.Issuer, "AUTH0_AUDIENCE=" + iss.Audience, "AUTH0_JWKS_URL=" + iss.JWKSURL(),
		"UPSTREAM_URL=" + upstream.URL, "ROUTES_FILE=" + routes, "REDIS_URL=" + srv.URL}
	first, _ := startProcess(t, bin, env...)
	second, _ := startProcess(t, bin, env...)
	gateways := []string{first, second}

	do := func(i int, method, path, token string) *http.Response {
		req, _ := http.NewRequest(method, "http://"+gateways[i%2]+path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	// The burst of 3, taken in turns from both processes.
	lister := iss.Token(map[string]any{"azp": "lister", "sub": "lister@clients"})
	var statuses []int
	for i := range 6 {
		statuses = append(statuses, do(i, "GET", "/v1/models", lister).StatusCode)
	}
	assert.Equal(t, []int{200, 200, 200, 429, 429, 429}, statuses, "one burst for both processes")

	// 40 tokens a response, 100 a day: the third response takes the budget
	// past its end, whichever process served the first two.
	chatter := iss.Token(map[string]any{"azp": "chatter", "sub": "chatter@clients"})
	key := limits.RedisPrefix + "tokens:" + limits.Day(time.Now()) + ":client:chatter"
	for i, used := range []int{40, 80, 120} {
		require.Equal(t, 200, do(i, "POST", "/v1/chat/completions", chatter).StatusCode, "request %d", i+1)
		waitFor(t, func() bool { n, _ := rdb.Get(context.Background(), key).Int(); return n == used },
			fmt.Sprintf("Redis counts %d tokens", used))
	}
	for i := range 2 {
		resp := do(i, "POST", "/v1/chat/completions", chatter)
		assert.Equal(t, 429, resp.StatusCode, "process %d sees the spent budget", i%2+1)
		assert.True(t, strings.HasPrefix(resp.Header.Get("RateLimit"), `"per-client-tokens";r=0;`), resp.Header.Get("RateLimit"))
	}
	ttl, err := rdb.TTL(context.Background(), key).Result()
	require.NoError(t, err)
	assert.InDelta(t, (48 * time.Hour).Seconds(), ttl.Seconds(), 60, "a day's count expires")

	// Redis down: the default fail mode is closed.
	srv.Stop()
	assert.Equal(t, 503, do(0, "GET", "/v1/models", iss.Token(map[string]any{"azp": "newcomer"})).StatusCode)
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
