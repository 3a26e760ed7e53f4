package guard_test

import (
	"sync"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// A cached token still expires.
func TestCachedTokenExpires(t *testing.T) {
	iss := testissuer.New(t)
	var mu sync.Mutex
	now := time.Now()
	v := newValidator(t, iss, func(c *guard.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	tok := "Bearer " + iss.Token(map[string]any{"exp": now.Add(time.Minute).Unix()})
	if w := serve(v, guard.Requirement{}, tok); w.Code != 200 {
		t.Fatalf("fresh: %d", w.Code)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute) // past exp and the 30 s leeway
	mu.Unlock()
	if w := serve(v, guard.Requirement{}, tok); w.Code != 401 {
		t.Errorf("expired but cached: %d, want 401", w.Code)
	}
}

// A cached token stops passing once its key leaves the key set.
func TestCachedTokenDroppedWithItsKey(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	old := "Bearer " + iss.Token(nil)
	if w := serve(v, guard.Requirement{}, old); w.Code != 200 {
		t.Fatalf("before rotation: %d", w.Code)
	}
	iss.Rotate()
	if w := serve(v, guard.Requirement{}, "Bearer "+iss.Token(nil)); w.Code != 200 { // refreshes the key set
		t.Fatalf("new key: %d", w.Code)
	}
	if w := serve(v, guard.Requirement{}, old); w.Code != 401 {
		t.Errorf("cached token of a removed key: %d, want 401", w.Code)
	}
}

// Scopes are checked on every request, cached or not.
func TestCachedTokenStillNeedsTheScope(t *testing.T) {
	iss := testissuer.New(t)
	v := newValidator(t, iss, nil)
	tok := "Bearer " + iss.Token(map[string]any{"scope": "read:models"})
	for range 2 {
		if w := serve(v, guard.Requirement{AllOf: []string{"invoke:models"}}, tok); w.Code != 403 {
			t.Errorf("status %d, want 403", w.Code)
		}
	}
}
