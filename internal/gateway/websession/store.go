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
// public URL allows, session IDs hashed in the store and the records sealed.
func newSessionManager(cfg *Config) (*scs.SessionManager, error) {
	sm := scs.New()
	sm.Lifetime = cfg.SessionLifetime
	sm.HashTokenInStore = true // a dump of the store holds no usable session ID
	var store sessionStore = newMemoryStore()
	if cfg.Redis != nil {
		store = redisStore{client: cfg.Redis, prefix: redisSessionPrefix}
	}
	sealer, err := newSealer(cfg)
	if err != nil {
		return nil, err
	}
	sm.Store, sm.Codec = sealedStore{sessionStore: store, sealer: sealer}, newJSONCodec()
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
