package access_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/access"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// checkModelCells checks the principal's row of the models matrix against
// its real token: the permissions (and, for a client, the scope) hold
// model:NAME exactly for the models the table says it may call.
func checkModelCells(t *testing.T, table *access.Table, p access.Principal, id *guard.Identity) {
	t.Helper()
	for _, model := range table.Models {
		perm := modelperm.Permission(model)
		assert.Equal(t, p.MayCall(model), slices.Contains(id.Permissions, perm), "%s: %s in the token's permissions", p.Name, perm)
		if p.Kind == access.Client {
			assert.Equal(t, p.MayCall(model), slices.Contains(id.Scopes, perm), "%s: %s in the token's scope", p.Name, perm)
		}
	}
}

// modelGateway is a gateway that serves the table's models, all on one
// echo model server, or nil when the stack declares none.
func modelGateway(t *testing.T, v *guard.Validator, table *access.Table, routes []proxy.Route) *httptest.Server {
	t.Helper()
	if len(table.Models) == 0 {
		return nil
	}
	echo := httptest.NewServer(echomodel.New(echomodel.Options{Models: table.Models}))
	t.Cleanup(echo.Close)
	server, err := url.Parse(echo.URL)
	require.NoError(t, err)
	var models []proxy.Model
	for _, name := range table.Models {
		models = append(models, proxy.Model{Name: name, Servers: []*url.URL{server}})
	}
	h, err := proxy.New(v, proxy.Config{Models: models, Routes: routes, Logger: proxytest.Quiet})
	require.NoError(t, err)
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)
	return gw
}

// checkModelRequests asks the gateway for a chat completion with each of
// the table's models: 200 where the principal may call the model, 403
// where it may not (for a principal the chat route itself lets through).
func checkModelRequests(t *testing.T, base string, table *access.Table, i int, token string) {
	p := table.Principals[i]
	t.Helper()
	chat := slices.IndexFunc(table.Routes, func(r access.Route) bool { return r.Pattern == "POST /v1/chat/completions" })
	require.GreaterOrEqual(t, chat, 0, "the dev routes have no chat route")
	if table.Decisions[i][chat].Verdict != access.Allowed {
		return // refused by the route before any model
	}
	for _, model := range table.Models {
		body := fmt.Sprintf(`{"model":%q,"messages":[{"role":"user","content":"hello"}]}`, model)
		req, err := http.NewRequest(http.MethodPost, base+"/v1/chat/completions", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := http.StatusForbidden
		if p.MayCall(model) {
			want = http.StatusOK
		}
		assert.Equal(t, want, resp.StatusCode, "%s calling model %s through the gateway: %s", p.Name, model, msg)
	}
}
