package websession

import (
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
)

// What the tenant answers a token request is checked against the proof
// the login sent: a token bound to another key (a tenant answer swapped by
// whoever sits between), a bound token nobody asked for, and a bearer
// token a DPoP-requiring gateway would refuse are each not used.
func TestCheckBinding(t *testing.T) {
	key, err := dpop.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := dpop.NewKey()
	for _, c := range []struct {
		name      string
		mode      guard.DPoPMode
		key       *dpop.Key
		tokenType string
		jkt       string
		want      string // "" accepted
	}{
		{"bearer session, bearer token", "", nil, "Bearer", "", ""},
		{"bearer session, a bound token", "", nil, "DPoP", key.Thumbprint(), "although the login sent no proof"},
		{"bearer session, a bound token called bearer", "", nil, "Bearer", key.Thumbprint(), "although the login sent no proof"},
		{"bound to the session's key", guard.DPoPRequired, key, "DPoP", key.Thumbprint(), ""},
		{"token_type in lower case", guard.DPoPRequired, key, "dpop", key.Thumbprint(), ""},
		{"bound to another key", guard.DPoPRequired, key, "DPoP", other.Thumbprint(), "not bound to this session's key"},
		{"DPoP but no cnf", guard.DPoPAllowed, key, "DPoP", "", "not bound to this session's key"},
		{"bound but called bearer", guard.DPoPAllowed, key, "Bearer", key.Thumbprint(), "bound to a key"},
		{"bearer where DPoP is allowed", guard.DPoPAllowed, key, "Bearer", "", ""},
		{"bearer where DPoP is required", guard.DPoPRequired, key, "Bearer", "", "the gateway requires DPoP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := &Web{cfg: Config{DPoP: c.mode}}
			err := w.checkBinding(c.key, c.tokenType, &guard.Identity{KeyThumbprint: c.jkt})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// A session's key survives its record: encoded and decoded, it is the same
// key, and it never prints.
func TestSessionKeyRecord(t *testing.T) {
	k, _ := dpop.NewKey()
	codec := newJSONCodec(nil)
	b, err := codec.Encode(time.Time{}, map[string]any{keyUser: user{Subject: "s", AccessToken: "at", TokenType: "DPoP", Key: &sessionKey{k}}})
	if err != nil {
		t.Fatal(err)
	}
	_, values, _ := codec.Decode(b)
	u := values[keyUser].(user)
	if !u.bound() || u.key().Thumbprint() != k.Thumbprint() {
		t.Fatalf("decoded %+v", u.Key)
	}
	if s := u.Key.String(); strings.Contains(s, "PRIVATE") {
		t.Errorf("the key prints as %q", s)
	}
}
