package redisurl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
)

func TestParse(t *testing.T) {
	opts, err := redisurl.Parse("redis://:s3cret@127.0.0.1:6380/2")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6380", opts.Addr)
	assert.Equal(t, 2, opts.DB)
	assert.Equal(t, "s3cret", opts.Password)
	assert.Equal(t, redisurl.DefaultReadTimeout, opts.ReadTimeout)
	assert.Equal(t, redisurl.DefaultMaxRetries, opts.MaxRetries)
	assert.Nil(t, opts.TLSConfig)

	opts, err = redisurl.Parse("rediss://redis.internal:6379/0?read_timeout=2s&max_retries=3")
	require.NoError(t, err)
	assert.NotNil(t, opts.TLSConfig, "rediss:// is TLS")
	assert.Equal(t, 2*time.Second, opts.ReadTimeout, "a timeout in the URL wins")
	assert.Equal(t, 3, opts.MaxRetries)
	assert.Equal(t, redisurl.DefaultDialTimeout, opts.DialTimeout)
}

func TestParseRefusesWithoutEchoingThePassword(t *testing.T) {
	for _, raw := range []string{
		"",
		"127.0.0.1:6379",
		"http://:s3cret@127.0.0.1:6379",
		"redis://:s3cret@127.0.0.1:6379/notanumber",
		"redis://:s3cret@127.0.0.1:6379/0?no_such_option=1",
		"redis://:s3cret@[::1",
		"redis:///0",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := redisurl.Parse(raw)
			require.ErrorIs(t, err, redisurl.ErrURL)
			assert.Contains(t, err.Error(), "-redis / REDIS_URL")
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}
