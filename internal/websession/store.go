package websession

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
)

// Key prefixes in Redis.
const (
	redisSessionPrefix = "model-api-auth0:session:"
	redisLockPrefix    = "model-api-auth0:refresh:"
)

// Keys of a session's values.
const (
	keyUser    = "user"
	keyPending = "pending"
)

// user is a logged-in session: who, and the tokens the gateway calls with.
// It lives only in the session store, encrypted; the browser holds the
// session ID alone.
type user struct {
	Subject string `json:"sub"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	OrgID   string `json:"org_id,omitempty"`
	OrgName string `json:"org_name,omitempty"`

	AccessToken  string    `json:"at"`
	RefreshToken string    `json:"rt,omitempty"`
	Expiry       time.Time `json:"exp"`
}

// pending is a login between /login and /callback: what the callback must
// find again, kept server-side so that a forged or replayed state matches
// nothing.
type pending struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"` // PKCE
	Org      string    `json:"org,omitempty"`
	ReturnTo string    `json:"return_to"`
	Started  time.Time `json:"started"`
}

// maxPending bounds logins started in one browser and not finished (tabs).
const maxPending = 5

// newSessionManager is scs with the store of cfg, the cookie attributes the
// public URL allows, session IDs hashed in the store and the data sealed.
func newSessionManager(cfg *Config) (*scs.SessionManager, error) {
	sm := scs.New()
	sm.Lifetime = cfg.SessionLifetime
	sm.HashTokenInStore = true // a dump of the store holds no usable session ID
	if cfg.Redis != nil {
		sm.Store = goredisstore.NewWithPrefix(cfg.Redis, redisSessionPrefix)
	} else {
		sm.Store = memstore.New()
	}
	codec, err := newSealedCodec(cfg)
	if err != nil {
		return nil, err
	}
	sm.Codec = codec
	secure := strings.HasPrefix(cfg.PublicURL, "https:")
	sm.Cookie.Secure = secure
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode // the callback is a top-level GET from the tenant
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // the session ends with the browser too
	sm.Cookie.Name = "session"
	if secure {
		// __Host-: the browser refuses it unless Secure, Path=/ and no
		// Domain, so no sibling host can plant or shadow it.
		sm.Cookie.Name = "__Host-session"
	}
	return sm, nil
}

// sealedCodec stores session values as JSON sealed with AES-256-GCM, so
// that the tokens a session holds are never in plain text in Redis (or in a
// memory dump of the store).
//
// Every request with a session reads its record again (so a logout on one
// replica holds on the others at once), but opening and decoding it is
// remembered by the record's hash: a record that has not changed since
// this process opened it costs a SHA-256, not a decryption and a JSON
// decoding.
type sealedCodec struct {
	aead   cipher.AEAD
	opened *lru.Cache[[sha256.Size]byte, record]
}

// openedRecords bounds the records remembered opened (about 3 KiB each).
const openedRecords = 4096

type record struct {
	Deadline time.Time `json:"deadline"`
	User     *user     `json:"user,omitempty"`
	Pending  []pending `json:"pending,omitempty"`
}

func newSealedCodec(cfg *Config) (*sealedCodec, error) {
	secret, salt := cfg.SessionSecret, "session-secret"
	if len(secret) == 0 {
		secret, salt = []byte(cfg.ClientSecret), "client-secret"
	}
	key, err := hkdf.Key(sha256.New, secret, []byte(salt), "model-api-auth0 websession v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	opened, err := lru.New[[sha256.Size]byte, record](openedRecords)
	if err != nil {
		return nil, err
	}
	return &sealedCodec{aead: aead, opened: opened}, nil
}

func (c *sealedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	rec := record{Deadline: deadline}
	for k, v := range values {
		switch v := v.(type) {
		case user:
			rec.User = &v
		case []pending:
			rec.Pending = v
		default:
			return nil, fmt.Errorf("websession: no encoding for session value %q of type %T", k, v)
		}
	}
	plain, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, plain, nil), nil
}

// Decode opens a record. One sealed with another key (the secret changed)
// or damaged decodes as an empty session: its owner logs in again, rather
// than every request of theirs failing.
func (c *sealedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	sum := sha256.Sum256(b)
	rec, ok := c.opened.Get(sum)
	if !ok {
		if rec, ok = c.open(b); !ok {
			return time.Time{}, map[string]any{}, nil
		}
		c.opened.Add(sum, rec)
	}
	// A new map every time: scs changes it in place on Put and Remove. The
	// values themselves are never changed, only replaced.
	values := make(map[string]any, 2)
	if rec.User != nil {
		values[keyUser] = *rec.User
	}
	if len(rec.Pending) > 0 {
		values[keyPending] = rec.Pending
	}
	return rec.Deadline, values, nil
}

func (c *sealedCodec) open(b []byte) (record, bool) {
	n := c.aead.NonceSize()
	if len(b) < n {
		return record{}, false
	}
	plain, err := c.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return record{}, false
	}
	var rec record
	if err := json.Unmarshal(plain, &rec); err != nil {
		return record{}, false
	}
	return rec, true
}

// refreshLock keeps replicas sharing a Redis from renewing one session's
// tokens at the same time: with refresh token rotation, the second use of a
// refresh token is taken for a stolen one and revokes them all.
type refreshLock interface {
	// acquire returns release and true when this caller may refresh.
	acquire(ctx context.Context, session string) (release func(), ok bool, err error)
}

// noLock is the lock of a single process: singleflight already makes one
// refresh per session there.
type noLock struct{}

func (noLock) acquire(context.Context, string) (func(), bool, error) { return func() {}, true, nil }

// redisLock is SET NX PX with a random value, released only by its holder.
// It expires by itself if the holder dies.
type redisLock struct {
	client *redis.Client
	ttl    time.Duration
}

var releaseScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (l redisLock) acquire(ctx context.Context, session string) (func(), bool, error) {
	key := redisLockPrefix + hashID(session)
	value := rand.Text()
	err := l.client.SetArgs(ctx, key, value, redis.SetArgs{Mode: "NX", TTL: l.ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		releaseScript.Run(ctx, l.client, []string{key}, value)
	}, true, nil
}

// hashID names a session in keys and logs without revealing its ID.
func hashID(session string) string {
	sum := sha256.Sum256([]byte(session))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
