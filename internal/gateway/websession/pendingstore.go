package websession

import (
	"context"
	"errors"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
)

// pendingStore keeps the logins between /login and /callback: a small
// sealed record each, for loginTimeout at most, and max of them at most:
// beyond that the oldest is dropped, and its login must start again.
// Sessions live apart, so that no number of logins started, by anyone,
// drops a session.
type pendingStore interface {
	add(ctx context.Context, key string, b []byte, ttl time.Duration) error
	// take removes the record of key and returns it.
	take(ctx context.Context, key string) ([]byte, bool, error)
	count(ctx context.Context) (int, error)
}

// memoryPending is a pendingStore in this process's memory. Records all
// live loginTimeout, so the least recently added is the oldest.
type memoryPending struct {
	recs *lru.Cache[string, memoryRecord]
}

func newMemoryPending(max int) *memoryPending {
	recs, _ := lru.New[string, memoryRecord](max)
	return &memoryPending{recs: recs}
}

func (m *memoryPending) add(_ context.Context, key string, b []byte, ttl time.Duration) error {
	m.recs.Add(key, memoryRecord{b: b, expiry: time.Now().Add(ttl)})
	return nil
}

func (m *memoryPending) take(_ context.Context, key string) ([]byte, bool, error) {
	rec, ok := m.recs.Peek(key)
	if !ok {
		return nil, false, nil
	}
	m.recs.Remove(key)
	return rec.b, time.Now().Before(rec.expiry), nil
}

func (m *memoryPending) count(context.Context) (int, error) { return m.recs.Len(), nil }

// redisPending is a pendingStore in Redis, shared by every replica: a key
// per login, with its TTL, and an index of them by expiry from which the
// oldest are dropped.
type redisPending struct {
	client *redis.Client
	max    int
}

// addLogin stores a login (KEYS[1]) and indexes it (KEYS[2]), dropping the
// expired entries of the index and, beyond ARGV[3] logins, the oldest.
// ARGV: the record, its TTL in ms, the bound. (It deletes keys it is not
// given: for a single Redis, not a cluster.)
var addLogin = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3]) + 1
if over > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #oldest, 2 do redis.call('DEL', oldest[i]) end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), KEYS[1])
return 0`)

func (p redisPending) add(ctx context.Context, key string, b []byte, ttl time.Duration) error {
	return addLogin.Run(ctx, p.client, []string{redisLoginPrefix + key, redisLoginIndex}, b, ttl.Milliseconds(), p.max).Err()
}

func (p redisPending) take(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := p.client.Get(ctx, redisLoginPrefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	pipe := p.client.TxPipeline()
	pipe.Del(ctx, redisLoginPrefix+key)
	pipe.ZRem(ctx, redisLoginIndex, redisLoginPrefix+key)
	_, err = pipe.Exec(ctx)
	return b, err == nil, err
}

// count counts the logins stored (tests).
func (p redisPending) count(ctx context.Context) (int, error) {
	n := 0
	iter := p.client.Scan(ctx, 0, redisLoginPrefix+"*", 0).Iterator()
	for iter.Next(ctx) {
		n++
	}
	return n, iter.Err()
}
