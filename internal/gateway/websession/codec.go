package websession

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// jsonCodec encodes session values as JSON (sealedStore seals them).
//
// Every request with a session reads its record again (so a logout on one
// replica holds on the others at once), but decoding it is remembered by
// the record's hash: a record that has not changed since this process
// decoded it costs a SHA-256, not a JSON decoding.
type jsonCodec struct {
	decoded *lru.Cache[[sha256.Size]byte, record]
	// now is the clock of the proofs a session's DPoP key signs, set on
	// each key as it is decoded, before any request shares it.
	now func() time.Time
}

// decodedRecords bounds the records remembered decoded (about 3 KiB each).
const decodedRecords = 4096

type record struct {
	Deadline time.Time `json:"deadline"`
	User     *user     `json:"user,omitempty"`
}

func newJSONCodec(now func() time.Time) *jsonCodec {
	decoded, _ := lru.New[[sha256.Size]byte, record](decodedRecords)
	return &jsonCodec{decoded: decoded, now: now}
}

func (c *jsonCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	rec := record{Deadline: deadline}
	for k, v := range values {
		switch v := v.(type) {
		case user:
			rec.User = &v
		default:
			return nil, fmt.Errorf("websession: no encoding for session value %q of type %T", k, v)
		}
	}
	return json.Marshal(rec)
}

// Decode reads a record. One that does not decode is an empty session:
// its owner logs in again, rather than every request of theirs failing.
func (c *jsonCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	sum := sha256.Sum256(b)
	rec, ok := c.decoded.Get(sum)
	if !ok {
		if json.Unmarshal(b, &rec) != nil {
			return time.Time{}, map[string]any{}, nil
		}
		if rec.User != nil && rec.User.Key != nil {
			rec.User.Key.Now = c.now
		}
		c.decoded.Add(sum, rec)
	}
	// A new map every time: scs changes it in place on Put and Remove. The
	// values themselves are never changed, only replaced.
	values := make(map[string]any, 1)
	if rec.User != nil {
		values[keyUser] = *rec.User
	}
	return rec.Deadline, values, nil
}
