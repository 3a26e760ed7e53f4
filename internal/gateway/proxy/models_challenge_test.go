package proxy_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// A refusal names, in its challenge, every scope the call needs: the
// route's on a 401 and on the guard's 403, and the route's with the
// model's permission when the model the body names is not granted, so
// that a client asking for a new token with them (an MCP client's step-up)
// gets one good for the whole call. The body keeps its code.
func TestModelRefusalsChallengeWithEveryScope(t *testing.T) {
	a := newUpstream(t, "a")
	iss, gw, _ := startModels(t, []proxy.Model{{Name: "a", Servers: []*url.URL{a.url()}}, {Name: "b", Servers: []*url.URL{a.url()}}}, nil)
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
		code, errParam, scope           string // code: the body's; errParam: the challenge's error ("" none)
	}{
		{"no token", "POST", "/v1/chat/completions", "", `{"model":"b"}`, 401, "missing_token", "", "invoke:models"},
		{"route scope missing", "POST", "/v1/chat/completions", iss.Token(map[string]any{"scope": "model:b"}), `{"model":"b"}`, 403,
			"insufficient_scope", "insufficient_scope", "invoke:models"},
		{"model not granted", "POST", "/v1/chat/completions", iss.Token(map[string]any{"scope": "invoke:models model:a"}), `{"model":"b"}`, 403,
			"model_not_allowed", "insufficient_scope", "invoke:models model:b"},
		{"model not granted, by RBAC", "POST", "/v1/embeddings", iss.Token(map[string]any{"scope": "invoke:models", "permissions": []string{"model:a"}}), `{"model":"b"}`, 403,
			"model_not_allowed", "insufficient_scope", "invoke:models model:b"},
		{"model not granted, read", "GET", "/v1/models/b", iss.Token(map[string]any{"scope": "read:models"}), "", 403,
			"model_not_allowed", "insufficient_scope", "read:models model:b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, text := call(t, c.method, gw+c.path, c.token, strings.NewReader(c.body))
			require.Equal(t, c.status, resp.StatusCode, text)
			assert.Equal(t, c.code, decodeOpenAIError(t, text).Code)
			challenges := resp.Header.Values("WWW-Authenticate")
			require.Len(t, challenges, 1, "%q", challenges)
			got := challenges[0]
			assert.True(t, strings.HasPrefix(got, `Bearer realm="`), got)
			assert.Contains(t, got, `scope="`+c.scope+`"`)
			if c.errParam == "" {
				assert.NotContains(t, got, "error=")
			} else {
				assert.Contains(t, got, `error="`+c.errParam+`"`)
			}
		})
	}
}
