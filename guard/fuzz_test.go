package guard_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// FuzzAuthorizationHeader feeds arbitrary header values through header
// parsing and validation: nothing panics, every failure is one of the
// package's errors, and nothing but a genuine token passes.
func FuzzAuthorizationHeader(f *testing.F) {
	iss := testissuer.New(f)
	v := newValidator(f, iss, nil)
	valid := iss.Token(nil)
	for _, seed := range []string{"", "Bearer ", "Bearer " + valid, "bearer " + valid, "Basic abc", "Bearer a.b.c", "Bearer ..",
		"Bearer " + valid + ".", "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer \t" + valid, strings.Repeat("B", 9000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, err := v.TokenFromHeader(header)
		if err != nil {
			if !errors.Is(err, guard.ErrNoToken) && !errors.Is(err, guard.ErrMalformedRequest) {
				t.Fatalf("TokenFromHeader(%q): unclassified error %v", header, err)
			}
			return
		}
		id, err := v.Validate(context.Background(), token)
		if err != nil {
			if !errors.Is(err, guard.ErrInvalidToken) && !errors.Is(err, guard.ErrKeysUnavailable) {
				t.Fatalf("Validate(%q): unclassified error %v", token, err)
			}
			return
		}
		if token != valid || id.Subject == "" {
			t.Fatalf("token %q passed", token)
		}
	})
}
