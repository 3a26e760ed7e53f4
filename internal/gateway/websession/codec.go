package websession

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

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
