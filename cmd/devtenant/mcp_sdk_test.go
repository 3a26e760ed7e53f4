package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
)

// mcpSDKDir holds the pinned official MCP TypeScript SDK; CI installs it
// with `npm ci --prefix cmd/devtenant/testdata/mcp-sdk`.
const mcpSDKDir = "testdata/mcp-sdk"

// agentResult is what agent.mjs prints on its last line.
type agentResult struct {
	Challenge string  `json:"challenge"`
	Scope     *string `json:"scope"`
	Authorize struct {
		Resource, Audience, Scope string
		ClientID                  string `json:"client_id"`
		CodeChallengeMethod       string `json:"code_challenge_method"`
	} `json:"authorize"`
	// CallbackError is the error the tenant sent to the callback instead
	// of a code; the agent stops there.
	CallbackError *struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	} `json:"callback_error"`
	// TokenRequest is the form auth() posted to the token endpoint.
	TokenRequest struct {
		GrantType string `json:"grant_type"`
		ClientID  string `json:"client_id"`
		Resource  string `json:"resource"`
		HasSecret bool   `json:"has_secret"`
	} `json:"token_request"`
	TokenType string `json:"token_type"`
	AZP       string `json:"azp"` // the access token's authorized party
	Status    int    `json:"status"`
	Body      string `json:"body"`
}

// cliCallback is one of the dev stack's cliApp callbacks.
const cliCallback = "http://127.0.0.1:8976/callback"

// An agent gets in on the first try: the official MCP TypeScript SDK's own
// auth(), unchanged, against the dev stack's tenant and the real gateway in
// the MCP-ready shape (devtenant -gateway: the API identifier is the
// gateway's public URL). It reads the 401's challenge, the protected
// resource metadata and the tenant's metadata, logs the test user in with
// PKCE and the resource parameter through the stack's CLI app (a
// pre-registered public client), and calls a protected route with the
// token. Skipped without node or the SDK installed, unless REQUIRE_NODE=1.
func TestMCPSDKAgentGetsIn(t *testing.T) {
	node := needMCPSDK(t)
	r := startGateway(t)
	gatewayURL := "http://" + r.addr + "/"
	cli := cliClientID(t, r.outputs)
	got := agentGetsIn(t, node, r, gatewayURL, "CLIENT_ID="+cli, "REDIRECT_URL="+cliCallback)

	assert.Contains(t, got.Challenge, `resource_metadata="`+gatewayURL+".well-known/oauth-protected-resource\"")
	require.NotNil(t, got.Scope, "the 401 names the scopes the route needs")
	assert.Equal(t, "read:models", *got.Scope)
	assert.Equal(t, gatewayURL, got.Authorize.Resource, "the SDK sends the resource it discovered")
	assert.Empty(t, got.Authorize.Audience, "MCP clients send no audience")
	assert.Equal(t, cli, got.Authorize.ClientID)
	assert.Equal(t, "S256", got.Authorize.CodeChallengeMethod)
	assert.Contains(t, strings.Fields(got.Authorize.Scope), "read:models", "the SDK asks for the challenge's scope")
	assert.Equal(t, cli, got.TokenRequest.ClientID)
	assert.Equal(t, cli, got.AZP)
	assertRouteAnswered(t, got)
}

// assertRouteAnswered checks the protected route's answer to the agent's
// token: the echo model server's model list, through the gateway.
func assertRouteAnswered(t *testing.T, got agentResult) {
	t.Helper()
	assert.Equal(t, 200, got.Status, "the route with the SDK's token: %s", got.Body)
	assert.Contains(t, got.Body, `"object":"list"`)
	assert.Contains(t, got.Body, "echo")
}

// agentGetsIn runs agent.mjs against the gateway of r and returns its
// result; a failed run or a refused login fails the test, with the logs.
func agentGetsIn(t *testing.T, node string, r running, gatewayURL string, client ...string) agentResult {
	t.Helper()
	stdout, stderr, err := runAgent(t, node, gatewayURL, client...)
	require.NoError(t, err, "the agent failed:\n%s%s\ngateway and tenant:\n%s", stdout, stderr, r.stderr.String())
	got := parseAgentResult(t, stdout)
	require.Nil(t, got.CallbackError, "the tenant refused the login:\n%s", r.stderr.String())
	return got
}

// parseAgentResult reads the last line agent.mjs prints.
func parseAgentResult(t *testing.T, stdout string) agentResult {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(last, "RESULT "), "the agent's last line: %s", last)
	var got agentResult
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(last, "RESULT ")), &got))
	t.Logf("%+v", got)
	return got
}

// The shape the gateway refuses to start in when agents are expected is
// one the SDK refuses: a gateway whose public URL is not the API
// identifier (the dev stack's own, https://api.dev.models.example.com/,
// with the gateway on loopback) serves metadata naming the identifier,
// and the SDK's auth() stops there, before any login. Without agents
// expected, the gateway starts with a warning; with them, not at all.
func TestMCPSDKRefusesAnotherResource(t *testing.T) {
	node := needMCPSDK(t)
	r := start(t, env("DEVTENANT_PASSWORD", devPassword)) // the tenant of the dev stack, no gateway
	out, err := stackoutputs.Load(r.outputs)
	require.NoError(t, err)
	listen, err := resolveGatewayListen("127.0.0.1:0")
	require.NoError(t, err)
	var logs syncbuf.Buffer
	o := gateway.DefaultOptions()
	o.Tenant = gateway.Tenant{Issuer: out.Issuer, Audience: out.Audience, JWKSURL: out.JWKSURI}
	o.Upstream, o.Listen, o.PublicURL, o.Log.Output = "http://127.0.0.1:9", listen, "http://"+listen, &logs

	expecting := o
	expecting.MCP = gateway.MCP{Expected: true}
	_, err = gateway.New(t.Context(), expecting)
	require.ErrorContains(t, err, `agents are expected (-mcp / MCP is set), but the public URL http://`+listen+` (-public-url / PUBLIC_URL) is not the API identifier "https://api.dev.models.example.com/"`)

	ctx, cancel := context.WithCancel(context.Background())
	g, err := gateway.New(ctx, o)
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- g.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-served })
	assert.Contains(t, logs.String(), "MCP clients refuse metadata whose resource is not the URL they call", "a warning without agents expected")

	stdout, stderr, err := runAgent(t, node, "http://"+listen+"/", "CLIENT_ID="+cliClientID(t, r.outputs), "REDIRECT_URL="+cliCallback)
	require.Error(t, err, "the SDK took metadata for another resource:\n%s", stdout)
	assert.Contains(t, stderr, "Protected resource https://api.dev.models.example.com/ does not match expected http://"+listen+"/")
}

// needMCPSDK is node, with the SDK installed; it skips the test without
// them, unless REQUIRE_NODE=1.
func needMCPSDK(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(mcpSDKDir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil || statErr != nil {
		msg := "needs node and the MCP SDK: npm ci --prefix cmd/devtenant/testdata/mcp-sdk"
		if os.Getenv("REQUIRE_NODE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}

func cliClientID(t *testing.T, outputs string) string {
	t.Helper()
	out, err := stackoutputs.Load(outputs)
	require.NoError(t, err)
	cli, err := out.CLIClientID()
	require.NoError(t, err)
	return cli
}

// runAgent runs agent.mjs against the gateway at gatewayURL, as the dev
// stack's test user alice, with the client that client's environment
// variables name (CLIENT_ID or CLIENT_METADATA_URL, and REDIRECT_URL).
func runAgent(t *testing.T, node, gatewayURL string, client ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "agent.mjs")
	cmd.Dir = mcpSDKDir
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+gatewayURL, "ROUTE=/v1/models",
		"USER_EMAIL=alice@acme.example.com", "USER_PASSWORD="+devPassword)
	cmd.Env = append(cmd.Env, client...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
