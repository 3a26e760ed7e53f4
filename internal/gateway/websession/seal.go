package websession

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"time"
)

// sealer seals records with AES-256-GCM, the key derived from the session
// secret (or the client secret), so that the tokens a session holds are
// never in plain text in Redis (or in a memory dump of the store). Each
// record is sealed with the key it is stored under as additional data:
// whoever can write to the store but holds no secret cannot move a
// victim's record under a key of their own (their session's), since it
// opens only where it was sealed.
type sealer struct{ aead cipher.AEAD }

func newSealer(cfg *Config) (*sealer, error) {
	secret, salt := cfg.SessionSecret, "session-secret"
	if len(secret) == 0 {
		secret, salt = []byte(cfg.ClientSecret), "client-secret"
	}
	// v2: records are bound to their key; v1's do not open.
	key, err := hkdf.Key(sha256.New, secret, []byte(salt), "model-api-auth0 websession v2", 32)
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
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(where string, plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, []byte(where))
}

func (s *sealer) open(where string, sealed []byte) ([]byte, bool) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, false
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(where))
	return plain, err == nil
}

// sessionStore is what scs calls (with contexts), and what tests count.
type sessionStore interface {
	FindCtx(ctx context.Context, key string) ([]byte, bool, error)
	CommitCtx(ctx context.Context, key string, b []byte, expiry time.Time) error
	DeleteCtx(ctx context.Context, key string) error
	AllCtx(ctx context.Context) (map[string][]byte, error)
}

// sealedStore seals the records of a store, each bound to its key. scs
// gives the codec no key, so sealing is done here, where the key is known.
// A record that does not open (damaged, sealed with another secret, or
// under another key) is no session: its holder logs in again.
type sealedStore struct {
	sessionStore
	sealer *sealer
}

// sessionAD is the additional data of the session stored under key.
func sessionAD(key string) string { return "session\x00" + key }

func (s sealedStore) FindCtx(ctx context.Context, key string) ([]byte, bool, error) {
	b, found, err := s.sessionStore.FindCtx(ctx, key)
	if err != nil || !found {
		return nil, false, err
	}
	plain, ok := s.sealer.open(sessionAD(key), b)
	return plain, ok, nil
}

func (s sealedStore) CommitCtx(ctx context.Context, key string, b []byte, expiry time.Time) error {
	return s.sessionStore.CommitCtx(ctx, key, s.sealer.seal(sessionAD(key), b), expiry)
}

func (s sealedStore) Find(key string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), key)
}
func (s sealedStore) Commit(key string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), key, b, expiry)
}
func (s sealedStore) Delete(key string) error { return s.DeleteCtx(context.Background(), key) }
