package proxy_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// sdkDir holds the pinned official OpenAI SDK for Node; CI installs it with
// `npm ci --prefix internal/gateway/proxy/testdata/openai-sdk`.
const sdkDir = "testdata/openai-sdk"

// The official OpenAI SDK for Node, pointed at the gateway, lists the
// caller's models, chats and calls the Responses API plain and streamed, and shows the gateway's
// refusals with their message (403, 404 model_not_found) rather than
// "(no body)". Through a second gateway with limits per person, it exposes
// the x-ratelimit-* headers, retries a short rate limit and fails at once on
// a spent budget (spent by a Chat Completions stream, and by a Responses
// one). Skipped without node or the SDK installed, unless
// REQUIRE_NODE=1.
func TestOpenAISDKForNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(sdkDir, "node_modules", "openai")); err != nil || statErr != nil {
		msg := "needs node and the SDK: npm ci --prefix internal/gateway/proxy/testdata/openai-sdk"
		if os.Getenv("REQUIRE_NODE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	echo := httptest.NewServer(echomodel.New(echomodel.Options{Models: []string{"echo", "secret"}}))
	t.Cleanup(echo.Close)
	server, _ := url.Parse(echo.URL)
	iss, gw, _ := startModels(t, []proxy.Model{
		{Name: "echo", Servers: []*url.URL{server}}, {Name: "secret", Servers: []*url.URL{server}},
	}, nil)

	// The rate frees a request per second: the SDK's retry waits it out.
	limited := start(t, echomodel.New(echomodel.Options{Models: []string{"echo"}}), options{limits: `{
		"perPerson": {"requests": 1, "per": "1s", "burst": 2},
		"people": {"auth0|spender": {"tokensPerDay": 1}, "auth0|rspender": {"tokensPerDay": 1}}}`})
	person := func(sub string) string {
		return limited.iss.Token(map[string]any{"azp": "webapp", "sub": sub, "gty": nil})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "sdk.mjs")
	cmd.Dir = sdkDir
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+gw, "TOKEN="+iss.Token(map[string]any{"scope": "read:models invoke:models model:echo"}),
		"LIMITED_URL="+limited.gw.URL, "PACER_TOKEN="+person("auth0|pacer"), "SPENDER_TOKEN="+person("auth0|spender"), "RSPENDER_TOKEN="+person("auth0|rspender"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the SDK's script failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
