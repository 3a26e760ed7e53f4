package guard_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu          sync.Mutex
	validations []string
	refreshes   []bool // true: succeeded
	denials     []string
}

func (o *recorder) TokenValidated(result string, cached bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cached {
		result += " (cached)"
	}
	o.validations = append(o.validations, result)
}

func (o *recorder) KeysRefreshed(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refreshes = append(o.refreshes, err == nil)
}

func (o *recorder) Denied(r *http.Request, status int, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.denials = append(o.denials, r.URL.Path+" "+http.StatusText(status)+": "+reason)
}

func (o *recorder) snapshot() (validations []string, refreshes []bool, denials []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.validations...), append([]bool(nil), o.refreshes...), append([]string(nil), o.denials...)
}

func TestObserverSeesValidationsRefreshesAndDenials(t *testing.T) {
	iss := testissuer.New(t)
	obs := &recorder{}
	v := newValidator(t, iss, func(c *guard.Config) { c.Observer = obs })
	token := "Bearer " + iss.Token(nil)
	invoke := guard.Requirement{AllOf: []string{"invoke:models"}}

	assert.Equal(t, 200, serve(v, invoke, token).Code)
	assert.Equal(t, 200, serve(v, invoke, token).Code)
	assert.Equal(t, 401, serve(v, invoke, token+"x").Code)
	assert.Equal(t, 403, serve(v, guard.Requirement{AllOf: []string{"train:models"}}, token).Code)
	assert.Equal(t, 401, serve(v, invoke, "").Code)
	// An unknown kid makes the validator fetch the key set again.
	unknown := "Bearer " + iss.Sign(iss.Claims(), map[string]any{"kid": "key-404"})
	assert.Equal(t, 401, serve(v, invoke, unknown).Code)

	validations, refreshes, denials := obs.snapshot()
	assert.Equal(t, []string{"valid", "valid (cached)", "invalid", "valid (cached)", "invalid"}, validations,
		"no token is no validation; a bad signature and an unknown key are invalid")
	assert.Equal(t, []bool{true, true}, refreshes, "the fetch at start and the one for the unknown kid")
	require.Len(t, denials, 4)
	// (Which check refused a token is the middleware's reason; here only that it is said.)
	assert.True(t, strings.HasPrefix(denials[0], "/v1/models Unauthorized: invalid token: "), denials[0])
	assert.Equal(t, "/v1/models Forbidden: insufficient scope: needs train:models", denials[1])
	assert.Equal(t, "/v1/models Unauthorized: a bearer token is required", denials[2])
	assert.True(t, strings.HasPrefix(denials[3], "/v1/models Unauthorized: invalid token: "), denials[3])
}

func TestObserverSeesFailedRefreshesAndColdKeys(t *testing.T) {
	iss := testissuer.New(t)
	iss.SetMode(testissuer.Down)
	obs := &recorder{}
	v := newValidator(t, iss, func(c *guard.Config) { c.Observer = obs; c.UnknownKIDWindow = time.Millisecond })
	assert.Equal(t, 503, serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)).Code)
	validations, refreshes, denials := obs.snapshot()
	assert.Equal(t, []string{"keys_unavailable"}, validations)
	require.NotEmpty(t, refreshes)
	for _, ok := range refreshes {
		assert.False(t, ok, "every fetch failed")
	}
	assert.Len(t, denials, 1)
}

// Every challenge names the protected resource metadata, as MCP clients
// need; a 503 has no challenge.
func TestChallengesNameTheResourceMetadata(t *testing.T) {
	iss := testissuer.New(t)
	const metadata = "https://models.example.com/.well-known/oauth-protected-resource"
	v := newValidator(t, iss, func(c *guard.Config) { c.ResourceMetadataURL = metadata })
	token := "Bearer " + iss.Token(nil)
	cases := []struct {
		name, header string
		req          guard.Requirement
		status       int
	}{
		{"no token", "", guard.Requirement{}, 401},
		{"malformed header", "Bearer a b", guard.Requirement{}, 400},
		{"invalid token", token + "x", guard.Requirement{}, 401},
		{"insufficient scope", token, guard.Requirement{AllOf: []string{"train:models"}}, 403},
	}
	for _, c := range cases {
		w := serve(v, c.req, c.header)
		assert.Equal(t, c.status, w.Code, c.name)
		challenge := w.Header().Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(challenge, "Bearer "), c.name)
		assert.Contains(t, challenge, `resource_metadata="`+metadata+`"`, c.name)
	}

	cold := testissuer.New(t)
	cold.SetMode(testissuer.Down)
	v = newValidator(t, cold, func(c *guard.Config) { c.ResourceMetadataURL = metadata })
	w := serve(v, guard.Requirement{}, "Bearer "+cold.Token(nil))
	assert.Equal(t, 503, w.Code)
	assert.Empty(t, w.Header().Get("WWW-Authenticate"))
}

func TestResourceMetadataURLMustBeAbsolute(t *testing.T) {
	for _, bad := range []string{"/.well-known/oauth-protected-resource", "ftp://x/y", "https://", "https://x/y#frag", "https://x/\"y"} {
		err := guard.Config{Domain: "t.us.auth0.com", Audience: "https://a/", ResourceMetadataURL: bad}.Validate()
		if bad == "https://x/\"y" {
			// A quote is escaped by %q in the challenge, so it is allowed.
			assert.NoError(t, err, bad)
			continue
		}
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "resource metadata URL", bad)
	}
}
