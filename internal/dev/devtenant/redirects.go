package devtenant

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// allowsCallback reports whether redirect is one of the client's registered
// callbacks: exactly, except that a registered port * matches any port, and
// a native client's loopback IP callbacks match on any port (RFC 8252 7.3).
func (c *client) allowsCallback(redirect string) bool {
	if c.Kind == agent {
		// Exactly as the agent's own document lists them.
		return redirect != "" && slices.Contains(c.Callbacks, redirect)
	}
	return matchURL(c.Callbacks, redirect, c.Kind == native)
}

// allowsLogout is allowsCallback for returnTo / post_logout_redirect_uri.
func (c *client) allowsLogout(returnTo string) bool {
	return matchURL(c.Logouts, returnTo, c.Kind == native)
}

func matchURL(registered []string, given string, anyLoopbackPort bool) bool {
	u, err := url.Parse(given)
	if err != nil || given == "" || u.Fragment != "" || u.User != nil {
		return false
	}
	for _, r := range registered {
		if r == given {
			return true
		}
		ru, err := url.Parse(strings.Replace(r, ":*/", "/", 1))
		if err != nil {
			continue
		}
		wildcard := strings.Contains(r, ":*/") || anyLoopbackPort && isLoopbackHost(ru.Hostname())
		if wildcard && ru.Scheme == u.Scheme && ru.Hostname() == u.Hostname() && ru.EscapedPath() == u.EscapedPath() &&
			ru.RawQuery == u.RawQuery && validPort(u.Port()) {
			return true
		}
	}
	return false
}

func validPort(p string) bool {
	if p == "" {
		return true
	}
	var n int
	_, err := fmt.Sscanf(p, "%d", &n)
	return err == nil && n > 0 && n < 65536 && fmt.Sprint(n) == p
}

func checkRegisteredURL(raw string) error {
	u, err := url.Parse(strings.Replace(raw, ":*/", "/", 1))
	if err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q: want an absolute URL without a fragment, such as http://127.0.0.1:*/callback", raw)
	}
	return nil
}

// isLoopbackHost reports whether host is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
