package websession_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// eachStore runs test with the sessions in memory (one gateway) and in a
// real redis-server shared by replicas gateways.
func eachStore(t *testing.T, replicas int, test func(t *testing.T, o options)) {
	t.Run("memory", func(t *testing.T) { test(t, options{}) })
	t.Run("redis", func(t *testing.T) {
		client, err := redisurl.Client(redistest.Start(t).URL)
		require.NoError(t, err)
		test(t, options{redis: client, replicas: replicas})
	})
}
