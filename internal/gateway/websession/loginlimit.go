package websession

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Defaults of the login limit: a person needs a few logins, a flood is
// refused after the burst.
const (
	DefaultLoginBurst = 10
	DefaultLoginEvery = 6 * time.Second
	// limitedAddresses bounds the addresses whose limiters are kept (about
	// 100 bytes each); the least recently seen is forgotten first.
	limitedAddresses = 1 << 16
)

// loginLimiter bounds the logins each client address may start. Every
// /login stores a pending login for up to loginTimeout: with the limit, one
// address holds at most burst + loginTimeout/every of them, and the
// pending logins of many addresses are bounded in all (maxPendingLogins).
type loginLimiter struct {
	every   time.Duration
	burst   int
	trusted []netip.Prefix

	mu     sync.Mutex
	byAddr *lru.Cache[netip.Prefix, *rate.Limiter]
}

func newLoginLimiter(cfg *Config) (*loginLimiter, error) {
	byAddr, err := lru.New[netip.Prefix, *rate.Limiter](limitedAddresses)
	if err != nil {
		return nil, err
	}
	return &loginLimiter{every: cfg.LoginEvery, burst: cfg.LoginBurst, trusted: cfg.TrustedProxies, byAddr: byAddr}, nil
}

// wait is zero when r's client may start a login now, else how long it
// must wait before it may.
func (l *loginLimiter) wait(r *http.Request, now time.Time) time.Duration {
	key := l.clientKey(r)
	l.mu.Lock()
	lim, ok := l.byAddr.Get(key)
	if !ok {
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.byAddr.Add(key, lim)
	}
	l.mu.Unlock()
	res := lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now) // a refused login takes no token
		return delay
	}
	return 0
}

// clientKey is the client's address: the connection's peer, or, when the
// peer is a trusted proxy, the nearest address in X-Forwarded-For that is
// not one. An IPv6 client is its /64, which one host usually holds whole.
func (l *loginLimiter) clientKey(r *http.Request) netip.Prefix {
	addr := peer(r)
	if l.isTrusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // the proxy forwarded what it was sent: trust nothing further left
			}
			addr = hop.Unmap()
			if !l.isTrusted(addr) {
				break
			}
		}
	}
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

func (l *loginLimiter) isTrusted(addr netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peer is the address the connection comes from (unspecified if net/http
// did not set one, as under httptest.NewRecorder without RemoteAddr).
func peer(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		a, _ := netip.ParseAddr(host)
		return a.Unmap()
	}
	return ap.Addr().Unmap()
}

// retryAfter is Retry-After for a wait: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds()))))
}

// ErrTrustedProxies: a trusted proxy is neither an address nor a CIDR.
var ErrTrustedProxies = errors.New("trusted proxies")

// ParseTrustedProxies reads a comma-separated list of addresses and CIDRs
// (10.0.0.0/8, 192.0.2.7, 2001:db8::/32) of the proxies in front of the
// gateway, whose X-Forwarded-For is believed. Every bad entry is reported.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var prefixes []netip.Prefix
	var errs []error
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			prefixes = append(prefixes, p.Masked())
		} else if a, err := netip.ParseAddr(item); err == nil {
			prefixes = append(prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			errs = append(errs, fmt.Errorf("%w: %q is neither an address nor a CIDR such as 10.0.0.0/8", ErrTrustedProxies, item))
		}
	}
	return prefixes, errors.Join(errs...)
}
