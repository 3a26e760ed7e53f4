package devtenant

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"
	"time"
)

// maxEntries bounds each kind of pending state, so that a loop hammering
// /authorize cannot grow the tenant without bound.
const maxEntries = 50_000

var errFull = errors.New("too many logins in progress; wait a few minutes")

// authRequest is a validated /authorize request.
type authRequest struct {
	Client        *client
	RedirectURI   string
	State         string
	Nonce         string
	CodeChallenge string
	Scopes        []string
	Audience      string
	Org           *organization // asked for with the organization parameter; nil if none
	Prompt        string
}

// login is an /authorize request in progress: from the login form to the code.
type login struct {
	Request  authRequest
	UserID   string   // set once the user has logged in
	Session  string   // the session the login happened in
	Binding  [32]byte // the key of the login cookie of the browser that started it
	AuthTime time.Time
	Expires  time.Time
}

// session is the tenant's own login session (the SSO cookie).
type session struct {
	UserID   string
	AuthTime time.Time
	Expires  time.Time
}

// grantBase is what a code or a refresh token carries towards tokens.
type grantBase struct {
	Client   *client
	UserID   string
	OrgID    string
	Scopes   []string
	Audience string
	AuthTime time.Time
	Family   string // the code this chain of tokens started from
}

type authCode struct {
	grantBase
	RedirectURI   string
	CodeChallenge string
	Nonce         string
	Used          bool
	Expires       time.Time
}

type refreshToken struct {
	grantBase
	Used    bool
	Expires time.Time
}

// store holds the tenant's short-lived state. Secrets (codes, refresh
// tokens, session and login IDs) are kept by their SHA-256 only.
type store struct {
	now       func() time.Time
	mu        sync.Mutex
	logins    map[[32]byte]*login
	sessions  map[[32]byte]*session
	codes     map[[32]byte]*authCode
	refresh   map[[32]byte]*refreshToken
	revoked   map[string]bool // families
	lastSweep time.Time
}

func newStore(now func() time.Time) *store {
	return &store{now: now, logins: map[[32]byte]*login{}, sessions: map[[32]byte]*session{},
		codes: map[[32]byte]*authCode{}, refresh: map[[32]byte]*refreshToken{}, revoked: map[string]bool{}}
}

func key(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// put stores v under a new random secret and returns the secret.
func put[V any](s *store, m map[[32]byte]V, v V) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	if len(m) >= maxEntries {
		return "", errFull
	}
	secret := rand.Text() + rand.Text()
	m[key(secret)] = v
	return secret, nil
}

func (s *store) newLogin(l *login) (string, error)          { return put(s, s.logins, l) }
func (s *store) newSession(v *session) (string, error)      { return put(s, s.sessions, v) }
func (s *store) newCode(c *authCode) (string, error)        { return put(s, s.codes, c) }
func (s *store) newRefresh(r *refreshToken) (string, error) { return put(s, s.refresh, r) }

// login returns the login in progress with this ID, if not expired.
func (s *store) login(id string) *login {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.logins[key(id)]
	if l == nil || !s.now().Before(l.Expires) {
		return nil
	}
	return l
}

func (s *store) endLogin(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.logins, key(id))
}

// loggedIn records who logged in for a login in progress.
func (s *store) loggedIn(id, userID, session string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.logins[key(id)]; l != nil {
		l.UserID, l.Session, l.AuthTime = userID, session, at
	}
}

func (s *store) session(id string) *session {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.sessions[key(id)]
	if v == nil || !s.now().Before(v.Expires) {
		return nil
	}
	return v
}

func (s *store) endSession(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, key(id))
}

// redeemCode marks a code of client used and returns it. A code used
// before reports replayed, and the tokens issued from it are revoked (OAuth
// 2.1 section 4.1.3). Another client's code is not found, and stays usable.
func (s *store) redeemCode(code string, client *client) (c *authCode, replayed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = s.codes[key(code)]
	switch {
	case c == nil || c.Client.ID != client.ID:
		return nil, false
	case c.Used:
		s.revoked[c.Family] = true
		return nil, true
	}
	c.Used = true
	if !s.now().Before(c.Expires) {
		return nil, false
	}
	return c, false
}

// rotateRefresh marks a refresh token used and returns it. A token used
// before revokes its whole family: either the client or a thief holds a
// stale copy, and the tenant cannot tell which.
func (s *store) rotateRefresh(token string, client *client) (r *refreshToken, reused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r = s.refresh[key(token)]
	switch {
	case r == nil || r.Client.ID != client.ID || s.revoked[r.Family] || !s.now().Before(r.Expires):
		return nil, false
	case r.Used:
		s.revoked[r.Family] = true
		return nil, true
	}
	r.Used = true
	return r, false
}

// revokeRefresh revokes the chain of a refresh token of client: every
// token rotated from the same login, used or not. An unknown token, or
// another client's, is left alone; it reports whether it revoked.
func (s *store) revokeRefresh(token string, client *client) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.refresh[key(token)]
	if r == nil || r.Client.ID != client.ID {
		return false
	}
	s.revoked[r.Family] = true
	return true
}

// revokedFamily reports whether tokens of a family may no longer be issued.
func (s *store) revokedFamily(family string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revoked[family]
}

// sweep drops expired entries at most once a minute. Used codes and refresh
// tokens stay until they expire, so that a replay is recognized as one.
func (s *store) sweep() {
	now := s.now()
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, v := range s.logins {
		if !now.Before(v.Expires) {
			delete(s.logins, k)
		}
	}
	for k, v := range s.sessions {
		if !now.Before(v.Expires) {
			delete(s.sessions, k)
		}
	}
	for k, v := range s.codes {
		// Kept past expiry for an hour: a late replay still revokes.
		if !now.Before(v.Expires.Add(time.Hour)) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.refresh {
		if !now.Before(v.Expires) {
			delete(s.refresh, k)
		}
	}
}
