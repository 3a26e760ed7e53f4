package websession

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// errStoreFull: the memory store holds as many sessions as it may.
var errStoreFull = errors.New("the gateway holds as many sessions as it may in memory: retry later (its operator can share sessions through Redis)")

// errSessionGone: a session was saved back after it left the store (logged
// out, or ended, meanwhile). The save is refused: a logout wins over any
// request that loaded the session before it.
var errSessionGone = errors.New("the session is no longer stored: it was logged out or ended meanwhile")

// A save creates a session's record only when told so (createKey in its
// context: scs hands the store nothing else); any other save replaces a
// record that is still there, atomically, and never brings back one that
// was deleted.
type createKey struct{}

func creating(ctx context.Context) context.Context { return context.WithValue(ctx, createKey{}, true) }

func isCreating(ctx context.Context) bool { b, _ := ctx.Value(createKey{}).(bool); return b }

// ttlOf is the time a record has left, at least a millisecond (Redis
// refuses a TTL of zero).
func ttlOf(expiry time.Time) time.Duration { return max(time.Until(expiry), time.Millisecond) }

// redisStore keeps sessions in Redis, shared by every replica: SET to
// create, SET XX to save back, DEL to end.
type redisStore struct {
	client *redis.Client
	prefix string
}

func (s redisStore) FindCtx(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (s redisStore) CommitCtx(ctx context.Context, key string, b []byte, expiry time.Time) error {
	args := redis.SetArgs{TTL: ttlOf(expiry)}
	if !isCreating(ctx) {
		args.Mode = "XX"
	}
	err := s.client.SetArgs(ctx, s.prefix+key, b, args).Err()
	if errors.Is(err, redis.Nil) {
		return errSessionGone
	}
	return err
}

func (s redisStore) DeleteCtx(ctx context.Context, key string) error {
	return s.client.Del(ctx, s.prefix+key).Err()
}

// AllCtx lists the sessions (tests count them).
func (s redisStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	all := map[string][]byte{}
	iter := s.client.Scan(ctx, 0, s.prefix+"*", 0).Iterator()
	for iter.Next(ctx) {
		if b, found, err := s.FindCtx(ctx, iter.Val()[len(s.prefix):]); err != nil {
			return nil, err
		} else if found {
			all[iter.Val()[len(s.prefix):]] = b
		}
	}
	return all, iter.Err()
}

// scs.Store asks for these too; scs calls the Ctx methods when they exist.
func (s redisStore) Find(key string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), key)
}
func (s redisStore) Commit(key string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), key, b, expiry)
}
func (s redisStore) Delete(key string) error { return s.DeleteCtx(context.Background(), key) }

// memoryStore keeps the sessions of a single gateway, with the same rules
// as redisStore, and max of them at most: beyond that, a new one is
// refused rather than one in use dropped. Expired records are dropped as
// they are met, all of them at most once a minute, and when it is full.
type memoryStore struct {
	mu        sync.Mutex
	items     map[string]memoryRecord
	max       int
	lastSweep time.Time
}

type memoryRecord struct {
	b      []byte
	expiry time.Time
}

func newMemoryStore(max int) *memoryStore {
	return &memoryStore{items: map[string]memoryRecord{}, max: max}
}

func (s *memoryStore) FindCtx(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.live(key)
	return rec.b, ok, nil
}

func (s *memoryStore) CommitCtx(ctx context.Context, key string, b []byte, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(false)
	if _, ok := s.live(key); !ok {
		if !isCreating(ctx) {
			return errSessionGone
		}
		if s.sweep(len(s.items) >= s.max); len(s.items) >= s.max {
			return errStoreFull
		}
	}
	s.items[key] = memoryRecord{b: b, expiry: expiry}
	return nil
}

func (s *memoryStore) DeleteCtx(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

func (s *memoryStore) AllCtx(context.Context) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := map[string][]byte{}
	for key := range s.items {
		if rec, ok := s.live(key); ok {
			all[key] = rec.b
		}
	}
	return all, nil
}

func (s *memoryStore) Find(key string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), key)
}
func (s *memoryStore) Commit(key string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), key, b, expiry)
}
func (s *memoryStore) Delete(key string) error { return s.DeleteCtx(context.Background(), key) }

// live returns key's record if it has not expired, and drops it if it has.
// The caller holds mu.
func (s *memoryStore) live(key string) (memoryRecord, bool) {
	rec, ok := s.items[key]
	if ok && !time.Now().Before(rec.expiry) {
		delete(s.items, key)
		return memoryRecord{}, false
	}
	return rec, ok
}

// sweep drops expired records, if a minute has passed since it last did,
// or now.
func (s *memoryStore) sweep(now bool) {
	if !now && time.Since(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = time.Now()
	for key := range s.items {
		s.live(key)
	}
}
