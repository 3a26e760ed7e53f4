package websession

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoginLimiterClientKey(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	require.NoError(t, err)
	cases := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"peer", "203.0.113.5:4000", nil, "203.0.113.5/32"},
		{"untrusted peer's X-Forwarded-For is ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5/32"},
		{"trusted proxy: the client it names", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1/32"},
		{"a client's own X-Forwarded-For is skipped", "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1/32"},
		{"chain of trusted proxies", "10.1.2.3:4000", []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, "198.51.100.1/32"},
		{"garbage stops the walk", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3/32"},
		{"IPv6 counts by /64", "[2001:db8:1:2:aaaa::1]:4000", nil, "2001:db8:1:2::/64"},
		{"IPv4-mapped IPv6 is IPv4", "[::ffff:203.0.113.5]:4000", nil, "203.0.113.5/32"},
	}
	l := &loginLimiter{trusted: trusted}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/login", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			assert.Equal(t, netip.MustParsePrefix(c.want), l.clientKey(r))
		})
	}
}

func TestLoginLimiterWait(t *testing.T) {
	cfg := &Config{LoginBurst: 2, LoginEvery: 10 * time.Second}
	l, err := newLoginLimiter(cfg)
	require.NoError(t, err)
	now := time.Now()
	r := httptest.NewRequest("GET", "/login", nil)
	r.RemoteAddr = "203.0.113.5:4000"
	assert.Zero(t, l.wait(r, now))
	assert.Zero(t, l.wait(r, now))
	wait := l.wait(r, now)
	assert.Equal(t, 10*time.Second, wait)
	assert.Equal(t, "10", retryAfter(wait))
	assert.Equal(t, wait, l.wait(r, now), "a refused login takes no token")
	assert.Zero(t, l.wait(r, now.Add(10*time.Second)))
	assert.Equal(t, "1", retryAfter(time.Millisecond))
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8,,192.0.2.7 , 2001:db8::/32, 10.1.2.3/8")
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("10.0.0.0/8")}, got)
	_, err = ParseTrustedProxies("10.0.0.0/33, proxy.example, 10.0.0.1")
	require.ErrorIs(t, err, ErrTrustedProxies)
	assert.ErrorContains(t, err, `"10.0.0.0/33"`)
	assert.ErrorContains(t, err, `"proxy.example"`)
}
