package websession

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// refreshLock keeps replicas sharing a Redis from renewing one session's
// tokens at the same time: with refresh token rotation, the second use of a
// refresh token is taken for a stolen one and revokes them all.
type refreshLock interface {
	// acquire returns release and true when this caller may refresh. The
	// lock lasts ttl at most; release may be called more than once.
	acquire(ctx context.Context, session string, ttl time.Duration) (release func(), ok bool, err error)
}

// noLock is the lock of a single process: singleflight already makes one
// refresh per session there.
type noLock struct{}

func (noLock) acquire(context.Context, string, time.Duration) (func(), bool, error) {
	return func() {}, true, nil
}

// redisLock is SET NX PX with a random value, released only by its holder.
// It expires by itself if the holder dies.
type redisLock struct{ client *redis.Client }

var releaseScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (l redisLock) acquire(ctx context.Context, session string, ttl time.Duration) (func(), bool, error) {
	key := redisLockPrefix + hashID(session)
	value := rand.Text()
	err := l.client.SetArgs(ctx, key, value, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		releaseScript.Run(ctx, l.client, []string{key}, value)
	}), true, nil
}

// hashID names a session in keys and logs without revealing its ID.
func hashID(session string) string {
	sum := sha256.Sum256([]byte(session))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
