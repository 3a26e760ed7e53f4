package websession

import (
	"context"
	"errors"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
)

// pendingStore keeps the logins between /login and /callback: a small
// sealed record each, for loginTimeout at most, and max of them at most:
// beyond that the oldest is dropped, and its login must start again.
// Sessions live apart, so that no number of logins started, by anyone,
// drops a session.
//
// A record is tagged. It starts as a login (tagLogin). The first callback
// to take it leaves tagTaken in its place, atomically, so that the login's
// code is redeemed once, whatever other callbacks of the same browser come
// with the same state (a double click, a prefetch); then it settles the
// record with its outcome (tagOutcome), which those callbacks wait for and
// answer with.
type pendingStore interface {
	add(ctx context.Context, key string, b []byte, ttl time.Duration) error
	// take returns the record of key as it was (nil if none), and marks a
	// login taken.
	take(ctx context.Context, key string) ([]byte, error)
	// settle replaces the record of key, if still there, keeping its expiry.
	settle(ctx context.Context, key string, b []byte) error
	peek(ctx context.Context, key string) ([]byte, error)
	count(ctx context.Context) (int, error)
}

// Tags of a pending login's record.
const (
	tagLogin   = 'L'
	tagTaken   = 'T'
	tagOutcome = 'O'
)

// memoryPending is a pendingStore in this process's memory. Records all
// live loginTimeout, so the least recently added is the oldest.
type memoryPending struct {
	mu   sync.Mutex // take and settle read and write a record as one step
	recs *lru.Cache[string, memoryRecord]
}

func newMemoryPending(max int) *memoryPending {
	recs, _ := lru.New[string, memoryRecord](max)
	return &memoryPending{recs: recs}
}

func (m *memoryPending) add(_ context.Context, key string, b []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs.Add(key, memoryRecord{b: b, expiry: time.Now().Add(ttl)})
	return nil
}

func (m *memoryPending) take(ctx context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.live(key)
	if ok && rec.b[0] == tagLogin {
		m.recs.Add(key, memoryRecord{b: []byte{tagTaken}, expiry: rec.expiry})
	}
	return rec.b, nil
}

func (m *memoryPending) settle(_ context.Context, key string, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec, ok := m.live(key); ok {
		m.recs.Add(key, memoryRecord{b: b, expiry: rec.expiry})
	}
	return nil
}

func (m *memoryPending) peek(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, _ := m.live(key)
	return rec.b, nil
}

// live returns key's record if it has not expired. The caller holds mu.
func (m *memoryPending) live(key string) (memoryRecord, bool) {
	rec, ok := m.recs.Peek(key)
	if !ok || len(rec.b) == 0 || !time.Now().Before(rec.expiry) {
		return memoryRecord{}, false
	}
	return rec, true
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

// takeLogin returns the record of KEYS[1] and marks it taken (ARGV[2]) if
// it is a login (ARGV[1]), keeping its TTL.
var takeLogin = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 1) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
return v`)

func (p redisPending) take(ctx context.Context, key string) ([]byte, error) {
	b, err := takeLogin.Run(ctx, p.client, []string{redisLoginPrefix + key}, string(rune(tagLogin)), string(rune(tagTaken))).Text()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return []byte(b), err
}

func (p redisPending) settle(ctx context.Context, key string, b []byte) error {
	err := p.client.SetArgs(ctx, redisLoginPrefix+key, b, redis.SetArgs{Mode: "XX", KeepTTL: true}).Err()
	if errors.Is(err, redis.Nil) {
		return nil // expired meanwhile: nobody waits any more
	}
	return err
}

func (p redisPending) peek(ctx context.Context, key string) ([]byte, error) {
	b, err := p.client.Get(ctx, redisLoginPrefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
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
