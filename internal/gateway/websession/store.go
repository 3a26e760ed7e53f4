package websession

import (
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Key prefixes in Redis.
const (
	redisSessionPrefix = "model-api-auth0:session:"
	redisLockPrefix    = "model-api-auth0:refresh:"
	redisLoginPrefix   = "model-api-auth0:login:"
	redisLoginIndex    = "model-api-auth0:logins" // pending logins by expiry, to drop the oldest
)

// keyUser is the key of a session's one value.
const keyUser = "user"

// Bounds of what anyone may make the gateway store without logging in, and
// of the sessions one process keeps in memory (with Redis, its memory is
// the operator's to bound).
const (
	maxPendingLogins  = 10_000
	maxMemorySessions = 10_000
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
	// TokenType is the tenant's token_type: "DPoP" for an access token
	// bound to Key, which then goes out with a proof of it (dpop.go).
	TokenType string `json:"tt,omitempty"`
	// Key is the session's DPoP key (nil: a bearer session). The refresh
	// token may be bound to it too, so it stays with the session.
	Key *sessionKey `json:"dpop_key,omitempty"`
}

// newSessionManager is scs with the store of cfg, the cookie attributes the
// public URL allows, session IDs hashed in the store and the records sealed.
func newSessionManager(cfg *Config, sealer *sealer) *scs.SessionManager {
	sm := scs.New()
	sm.Lifetime = cfg.SessionLifetime
	sm.HashTokenInStore = true // a dump of the store holds no usable session ID
	var store sessionStore = newMemoryStore(maxMemorySessions)
	if cfg.Redis != nil {
		store = redisStore{client: cfg.Redis, prefix: redisSessionPrefix}
	}
	sm.Store, sm.Codec = sealedStore{sessionStore: store, sealer: sealer}, newJSONCodec(cfg.Now)
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
	return sm
}
