package websession

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
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
	Verifier string    `json:"verifier"`           // PKCE
	Org      string    `json:"org,omitempty"`      // the organization parameter sent: an ID, or a name sent as given
	OrgName  string    `json:"org_name,omitempty"` // its name, when known
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
