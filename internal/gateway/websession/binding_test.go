package websession_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// Whoever can write to Redis but holds no session secret copies a
// victim's sealed record under the key of their own session: the record
// does not open there, and the attacker's cookie names no session at all.
func TestRecordsAreBoundToTheirSession(t *testing.T) {
	srv := redistest.Start(t)
	client, err := redisurl.Client(srv.URL)
	require.NoError(t, err)
	s := newStack(t, options{redis: client})
	victim, attacker := s.browser(t), s.browser(t)
	victim.login(s.url(), alice, "acme")
	attacker.login(s.url(), bob, "globex")

	ctx := context.Background()
	rdb := srv.Client(t)
	record, err := rdb.Get(ctx, sessionKey(victim.cookie(s.url()).Value)).Bytes()
	require.NoError(t, err)
	require.NoError(t, rdb.Set(ctx, sessionKey(attacker.cookie(s.url()).Value), record, 0).Err())

	before := s.upstream.count()
	r := attacker.get(s.url() + "/v1/models")
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "the attacker's cookie with the victim's record: %s", r.message())
	if s.upstream.count() > before {
		assert.NotEqual(t, s.dt.UserID(alice), s.upstream.last().Get(proxy.HeaderSubject), "the upstream saw the victim")
	}
	assert.NotContains(t, attacker.get(s.url()+"/").body, alice)
	assert.Equal(t, http.StatusOK, victim.get(s.url()+"/api/messages/admin").StatusCode, "the victim's own session is unharmed")
}

// sessionKey is where Redis holds the session of a cookie: scs stores the
// SHA-256 of the ID.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "model-api-auth0:session:" + base64.RawURLEncoding.EncodeToString(sum[:])
}
