package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// Bodies over a route's limit get a JSON 413: at once when announced, as
// soon as the limit is passed otherwise.
func TestBodyLimits(t *testing.T) {
	routes := []proxy.Route{
		{Pattern: "POST /v1/chat/completions"}, // the default limit
		{Pattern: "POST /v1/embeddings", MaxBody: 1 << 10},
	}
	e := startEdge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, `{"read":%d}`, n)
	}), routes, serverLimits())
	token := e.iss.Token(nil)
	post := func(path string, headers ...string) string {
		return head(append([]string{"POST " + path + " HTTP/1.1", "Host: x"}, headers...)...) + "\r\n\r\n"
	}
	chunked := func(n int) string {
		return fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", n, strings.Repeat("a", n))
	}
	cases := []struct {
		name, request string
		status        int
	}{
		{"default limit, announced over it", post("/v1/chat/completions", bearer(token), fmt.Sprintf("Content-Length: %d", proxy.DefaultMaxBody+1)), 413},
		{"default limit, announced over it, no token", post("/v1/chat/completions", fmt.Sprintf("Content-Length: %d", proxy.DefaultMaxBody+1)), 413},
		{"default limit, within", post("/v1/chat/completions", bearer(token), "Content-Length: 2000") + strings.Repeat("a", 2000), 200},
		{"route limit, announced over it", post("/v1/embeddings", bearer(token), "Content-Length: 1025"), 413},
		{"route limit, chunked over it", post("/v1/embeddings", bearer(token), "Transfer-Encoding: chunked") + chunked(2000), 413},
		{"route limit, chunked within", post("/v1/embeddings", bearer(token), "Transfer-Encoding: chunked") + chunked(1000), 200},
		{"route limit, exactly", post("/v1/embeddings", bearer(token), "Content-Length: 1024") + strings.Repeat("a", 1024), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, br := dial(t, e.addr())
			io.WriteString(conn, c.request)
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, c.status, resp.StatusCode, "%s", body)
			if c.status == 413 {
				assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
				assert.Contains(t, string(body), "the request body is larger than this route accepts")
				assert.True(t, resp.Close, "the connection stays open after a 413")
			}
		})
	}
}

func TestRoutesFileHardeningKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	rf, err := proxy.LoadRoutesFile(write("good.yaml", `routes:
  - pattern: POST /v1/chat/completions
    maxBody: 8MiB
  - pattern: POST /v1/embeddings
    maxBody: 65536
  - pattern: GET /v1/realtime
    upgrade: [websocket]
`))
	require.NoError(t, err)
	routes := rf.Routes
	assert.Equal(t, proxy.ByteSize(8<<20), routes[0].MaxBody)
	assert.Equal(t, proxy.ByteSize(65536), routes[1].MaxBody)
	assert.Equal(t, []string{"websocket"}, routes[2].Upgrade)

	for _, bad := range []struct{ content, want string }{
		{"routes:\n  - pattern: POST /x\n    maxBody: lots\n", `line 3: "lots": want a positive size such as 4MiB`},
		{"routes:\n  - pattern: POST /x\n    maxBody: -1\n", `"-1": want a positive size`},
		{"routes:\n  - pattern: POST /x\n    maxBody: 4MB\n", `"4MB": want a positive size`},
	} {
		_, err := proxy.LoadRoutesFile(write("bad.yaml", bad.content))
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), bad.want)
		}
	}
	err = gatewayNew(t, []proxy.Route{{Pattern: "GET /x", Upgrade: []string{"web socket", ""}}})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), `routes[0] "GET /x": upgrade: "web socket" is not a protocol name`)
		assert.Contains(t, err.Error(), `upgrade: "" is not a protocol name`)
	}
}

func gatewayNew(t *testing.T, routes []proxy.Route) error {
	v := proxytest.Validator(t, testissuer.New(t))
	u, _ := url.Parse("http://127.0.0.1:8000")
	_, err := proxy.New(v, proxy.Config{Upstream: u, Routes: routes})
	return err
}

// A size is written with the largest unit that divides it, and reads back.
func TestByteSizeString(t *testing.T) {
	for size, want := range map[proxy.ByteSize]string{
		4 << 20: "4MiB", 32 << 10: "32KiB", 1 << 30: "1GiB", 1536: "1536B", 1000: "1000B", 0: "0",
	} {
		assert.Equal(t, want, size.String())
		if size > 0 {
			back, err := proxy.ParseByteSize(want)
			require.NoError(t, err)
			assert.Equal(t, size, back)
		}
	}
}
