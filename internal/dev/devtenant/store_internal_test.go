package devtenant

import (
	"testing"
	"time"
)

// Pending state is bounded: a loop on /authorize cannot grow the tenant
// without limit, and expired entries make room again.
func TestStoreIsBounded(t *testing.T) {
	now := time.Now()
	s := newStore(func() time.Time { return now })
	for i := range maxEntries {
		if _, err := s.newLogin(&login{Expires: now.Add(LoginLifetime)}); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
	}
	if _, err := s.newLogin(&login{Expires: now.Add(LoginLifetime)}); err != errFull {
		t.Fatalf("past the bound: got %v, want errFull", err)
	}
	if _, err := s.newCode(&authCode{Expires: now.Add(CodeLifetime)}); err != nil {
		t.Fatalf("each kind has its own bound: %v", err)
	}
	now = now.Add(LoginLifetime + time.Minute)
	if _, err := s.newLogin(&login{Expires: now.Add(LoginLifetime)}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}
