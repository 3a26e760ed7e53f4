package proxy

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// A reference route added to the table is served behind the guard with its
// requirement, reserved against proxied routes, and described by
// ReferenceRoutes: New and the access table cannot drift apart.
func TestReferenceRoutesHaveOneSource(t *testing.T) {
	saved := referenceRoutes
	t.Cleanup(func() { referenceRoutes = saved })
	extra := answered{Route{Pattern: "GET /api/messages/extra", AllOf: []string{"read:extra"}}, "extra message"}
	referenceRoutes = append(saved[:len(saved):len(saved)], extra)

	require.Contains(t, ReferenceRoutes(), extra.Route)
	assert.ErrorContains(t, ValidateRoutes([]Route{{Pattern: "GET /api/messages/extra", AllOf: []string{"x"}}}), "conflicts")

	iss := testissuer.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	v, err := guard.New(ctx, guard.Config{Issuer: iss.Issuer, Audience: iss.Audience, JWKSURL: iss.JWKSURL(), Logger: quiet})
	require.NoError(t, err)
	h, err := New(v, Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:9"}, Routes: DefaultRoutes(), Logger: quiet})
	require.NoError(t, err)

	for _, c := range []struct {
		name    string
		claims  map[string]any
		status  int
		message string
	}{
		{"no token", nil, http.StatusUnauthorized, "a bearer token is required"},
		{"without the permission", map[string]any{}, http.StatusForbidden, "needs read:extra"},
		{"with the permission", map[string]any{"permissions": []string{"read:extra"}}, http.StatusOK, "extra message"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/messages/extra", nil)
			if c.claims != nil {
				r.Header.Set("Authorization", "Bearer "+iss.Token(c.claims))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var m struct{ Message string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
			assert.Equal(t, c.status, rec.Code)
			assert.Contains(t, m.Message, c.message)
		})
	}
}

// ReferenceRoutes hands out copies: a caller changing them changes nothing served.
func TestReferenceRoutesAreCopies(t *testing.T) {
	routes := ReferenceRoutes()
	for i := range routes {
		if len(routes[i].AllOf) > 0 {
			routes[i].AllOf[0] = "changed"
		}
	}
	assert.Equal(t, []string{AdminPermission}, referenceRoutes[1].AllOf)
}
