package guard_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// TestDPoPModes: who may come with which scheme, and the challenges each
// refusal carries.
func TestDPoPModes(t *testing.T) {
	allowed := newDPoPSetup(t, nil)
	required := newDPoPSetup(t, func(c *guard.Config) { c.DPoP.Mode = guard.DPoPRequired })
	disabled := newDPoPSetup(t, func(c *guard.Config) { c.DPoP = guard.DPoPConfig{} })
	perRoute := guard.Requirement{DPoP: true}
	for _, c := range []struct {
		name        string
		s           *dpopSetup
		req         guard.Requirement
		auth        func(s *dpopSetup) string
		dpop        bool // send a valid proof
		status      int
		bearer, dpc string // error codes on each challenge; "-": no such challenge
	}{
		{"allowed: unbound bearer", allowed, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.iss.Token(nil) }, false, 200, "", ""},
		{"allowed: no token", allowed, guard.Requirement{}, func(*dpopSetup) string { return "" }, false, 401, "", ""},
		{"allowed: bound token as Bearer", allowed, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.token }, false, 401, "invalid_token", ""},
		{"allowed: bound token as Bearer, with its proof", allowed, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.token }, true, 401, "invalid_token", ""},
		{"allowed, route needs DPoP: bearer", allowed, perRoute, func(s *dpopSetup) string { return "Bearer " + s.iss.Token(nil) }, false, 401, "-", "invalid_token"},
		{"allowed, route needs DPoP: DPoP", allowed, perRoute, func(s *dpopSetup) string { return "DPoP " + s.token }, true, 200, "", ""},
		{"required: unbound bearer", required, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.iss.Token(nil) }, false, 401, "-", "invalid_token"},
		{"required: no token", required, guard.Requirement{}, func(*dpopSetup) string { return "" }, false, 401, "-", ""},
		{"required: DPoP", required, guard.Requirement{}, func(s *dpopSetup) string { return "DPoP " + s.token }, true, 200, "", ""},
		{"disabled: DPoP", disabled, guard.Requirement{}, func(s *dpopSetup) string { return "DPoP " + s.token }, true, 401, "", "-"},
		{"disabled: bound token as Bearer", disabled, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.token }, false, 401, "invalid_token", "-"},
		{"disabled: unbound bearer", disabled, guard.Requirement{}, func(s *dpopSetup) string { return "Bearer " + s.iss.Token(nil) }, false, 200, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var proofs []string
			if c.dpop {
				proofs = append(proofs, c.s.proof("GET", "/v1/models"))
			}
			w := c.s.call(c.req, "GET", "/v1/models", c.auth(c.s), proofs...)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if c.status == 200 {
				return
			}
			got := w.Header().Values("WWW-Authenticate")
			if c.dpc == "-" {
				if len(got) != 1 || !strings.HasPrefix(got[0], `Bearer realm=`) || strings.Contains(got[0], "error=") != (c.bearer != "") {
					t.Errorf("challenges %q, want one Bearer challenge with error %q", got, c.bearer)
				}
				return
			}
			checkChallenges(t, got, c.bearer, c.dpc)
		})
	}
}

// A request without a token is told which it may bring.
func TestDPoPNoTokenMessage(t *testing.T) {
	for mode, want := range map[guard.DPoPMode]string{
		guard.DPoPRequired: "a DPoP-bound token is required: send `Authorization: DPoP <token>` with a DPoP proof header",
		guard.DPoPAllowed:  "a bearer token, or a DPoP-bound token with its DPoP proof, is required",
	} {
		s := newDPoPSetup(t, func(c *guard.Config) { c.DPoP.Mode = mode })
		var body struct{ Message string }
		w := s.call(guard.Requirement{}, "GET", "/v1/models", "")
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Message != want {
			t.Errorf("%s: %s", mode, w.Body)
		}
	}
}

// The proof names the public URL, whatever Host the request carries: a
// proof made for another host is no good even when Host says that host.
func TestDPoPIgnoresHost(t *testing.T) {
	s := newDPoPSetup(t, nil)
	for host, status := range map[string]int{"evil.example.com": 401, "models.example.com": 200} {
		proof := must(s.key.Proof("GET", "https://"+host+"/v1/models", s.token, ""))
		h := s.v.Require(guard.Requirement{})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest("GET", "http://"+host+"/v1/models", nil)
		r.Header.Set("Authorization", "DPoP "+s.token)
		r.Header.Set("DPoP", proof)
		w := httptest.NewRecorder()
		if h.ServeHTTP(w, r); w.Code != status {
			t.Errorf("Host %s: status %d, want %d", host, w.Code, status)
		}
	}
}

func TestDPoPNonces(t *testing.T) {
	var nonces *guard.HMACNonces
	s := newDPoPSetup(t, func(c *guard.Config) {
		nonces = must(guard.NewHMACNonces([]byte(strings.Repeat("s", 32)), time.Minute, c.Now))
		c.DPoP.Nonces = nonces
	})
	w := s.call(guard.Requirement{}, "GET", "/v1/models", "DPoP "+s.token, s.proof("GET", "/v1/models"))
	nonce := w.Header().Get("DPoP-Nonce")
	if w.Code != 401 || nonce == "" {
		t.Fatalf("a proof without a nonce: %d, DPoP-Nonce %q", w.Code, nonce)
	}
	checkChallenges(t, w.Header().Values("WWW-Authenticate"), "", "use_dpop_nonce")
	with := func(n string) int {
		p := must(s.key.Proof("GET", publicURL+"/v1/models", s.token, n))
		return s.call(guard.Requirement{}, "GET", "/v1/models", "DPoP "+s.token, p).Code
	}
	if code := with(nonce); code != 200 {
		t.Errorf("with the nonce given: %d", code)
	}
	if code := with(nonce[:len(nonce)-2] + "AA"); code != 401 {
		t.Errorf("with a forged nonce: %d", code)
	}
	s.now = s.now.Truncate(time.Minute).Add(time.Minute + time.Second) // the next period: still good
	if code := with(nonce); code != 200 {
		t.Errorf("a nonce of the last period: %d", code)
	}
	s.now = s.now.Add(time.Minute)
	if code := with(nonce); code != 401 {
		t.Errorf("a nonce two periods old: %d", code)
	}
}

type failingStore struct{}

func (failingStore) FirstUse(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("connection refused")
}

// A replay store that cannot answer refuses the request: it cannot tell a
// replay from a first use.
func TestDPoPReplayStoreDown(t *testing.T) {
	s := newDPoPSetup(t, func(c *guard.Config) { c.DPoP.Replay = failingStore{} })
	w := s.call(guard.Requirement{}, "GET", "/v1/models", "DPoP "+s.token, s.proof("GET", "/v1/models"))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestMemoryReplayStoreExpires(t *testing.T) {
	s := guard.NewMemoryReplayStore(2)
	ctx := context.Background()
	exp := time.Now().Add(-time.Second) // already expired: may be used again
	for range 2 {
		if fresh, err := s.FirstUse(ctx, "a", exp); !fresh || err != nil {
			t.Fatalf("an expired entry: %v %v", fresh, err)
		}
	}
	later := time.Now().Add(time.Hour)
	if fresh, _ := s.FirstUse(ctx, "b", later); !fresh {
		t.Fatal("b not fresh")
	}
	if fresh, _ := s.FirstUse(ctx, "b", later); fresh {
		t.Error("b used twice")
	}
}

func TestDPoPConfigProblems(t *testing.T) {
	for _, c := range []struct {
		cfg  guard.DPoPConfig
		want string
	}{
		{guard.DPoPConfig{Mode: "sometimes"}, `DPoP mode "sometimes"`},
		{guard.DPoPConfig{Mode: guard.DPoPAllowed}, "DPoP public URL"},
		{guard.DPoPConfig{Mode: guard.DPoPRequired, PublicURL: "models.example.com"}, "DPoP public URL"},
		{guard.DPoPConfig{Mode: guard.DPoPAllowed, PublicURL: publicURL, Algs: []string{"HS256"}}, `DPoP algorithm "HS256"`},
	} {
		err := guard.Config{Domain: "example.us.auth0.com", Audience: "https://api/", DPoP: c.cfg}.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}
