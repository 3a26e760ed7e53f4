package guard_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// BenchmarkAuthorizeBearer and BenchmarkAuthorizeDPoP are one request's
// check through Authorize, every token verified (no cache): a bearer token,
// and a bound token with a fresh proof (a second signature check, on a
// P-256 key, plus the replay store). Signing the proofs is not timed.
func BenchmarkAuthorizeBearer(b *testing.B) { benchAuthorize(b, false) }
func BenchmarkAuthorizeDPoP(b *testing.B)   { benchAuthorize(b, true) }

func benchAuthorize(b *testing.B, withDPoP bool) {
	s := newDPoPSetup(b, func(c *guard.Config) { c.CacheSize = -1 })
	bearer := s.iss.Token(map[string]any{"permissions": []string{"read:models", "invoke:models"}, "org_id": "org_acme"})
	for b.Loop() {
		b.StopTimer()
		r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
		if withDPoP {
			r.Header.Set("Authorization", "DPoP "+s.token)
			r.Header.Set("DPoP", s.proof("POST", "/v1/chat/completions"))
		} else {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		b.StartTimer()
		if _, err := s.v.Authorize(r, guard.Requirement{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDPoPOverBearer alternates a bearer request and a DPoP one and
// reports the ratio of their median times (as BenchmarkValidateOverFloor
// does, to measure both under the same conditions on a drifting machine).
// cached: the tokens come from the cache of verified tokens, as a client's
// repeated token does, so the proof is nearly all a DPoP request costs.
func BenchmarkDPoPOverBearer(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := map[bool]string{false: "verified", true: "cached"}[cached]
		b.Run(name, func(b *testing.B) {
			s := newDPoPSetup(b, func(c *guard.Config) {
				if !cached {
					c.CacheSize = -1
				}
			})
			bearer := s.iss.Token(nil)
			var bearers, dpops []time.Duration
			for b.Loop() {
				rb := httptest.NewRequest("POST", "/v1/chat/completions", nil)
				rb.Header.Set("Authorization", "Bearer "+bearer)
				rd := httptest.NewRequest("POST", "/v1/chat/completions", nil)
				rd.Header.Set("Authorization", "DPoP "+s.token)
				rd.Header.Set("DPoP", s.proof("POST", "/v1/chat/completions"))
				start := time.Now()
				_, errB := s.v.Authorize(rb, guard.Requirement{})
				mid := time.Now()
				_, errD := s.v.Authorize(rd, guard.Requirement{})
				end := time.Now()
				if errB != nil || errD != nil {
					b.Fatal(errB, errD)
				}
				bearers, dpops = append(bearers, mid.Sub(start)), append(dpops, end.Sub(mid))
			}
			b.ReportMetric(float64(median(dpops))/float64(median(bearers)), "dpop/bearer")
		})
	}
}
