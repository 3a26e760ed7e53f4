package dpop

import (
	"net/http"
	"strings"
	"sync"
)

// Transport adds a proof of Key to each request it sends: at a token
// endpoint (no Authorization header) a proof that asks for bound tokens, to
// an API one bound to the DPoP token the request carries (ath). A request
// with a bearer token gets none: the proof would prove nothing. A server
// asking for a nonce (DPoP-Nonce with use_dpop_nonce: a 400 from a token
// endpoint, a 401 from an API, RFC 9449 sections 8 and 9) gets the request
// again, once, with it, and the later requests to its host carry it.
type Transport struct {
	Key *Key
	// Base sends the requests; nil: http.DefaultTransport.
	Base http.RoundTripper
	// Nonces are the servers' nonces; nil: the Transport keeps its own.
	// Transports of several keys talking to one server share theirs: a
	// nonce is the server's, not the key's.
	Nonces *Nonces

	own Nonces
}

// Nonces are the last DPoP nonces servers asked for, by host.
type Nonces struct {
	mu     sync.Mutex
	byHost map[string]string
}

func (n *Nonces) get(host string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.byHost[host]
}

func (n *Nonces) set(host, nonce string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byHost == nil {
		n.byHost = map[string]string{}
	}
	n.byHost[host] = nonce
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	scheme, token, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	if scheme != "" && !strings.EqualFold(scheme, "DPoP") {
		return t.base().RoundTrip(req)
	}
	nonces := t.Nonces
	if nonces == nil {
		nonces = &t.own
	}
	resp, err := t.send(req, token, nonces.get(req.URL.Host), false)
	if err != nil || !askedForNonce(resp) || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, err
	}
	nonce := resp.Header.Get("DPoP-Nonce")
	nonces.set(req.URL.Host, nonce)
	resp.Body.Close()
	return t.send(req, token, nonce, true)
}

// send sends a copy of req with a new proof; again, with a new copy of its
// body.
func (t *Transport) send(req *http.Request, token, nonce string, again bool) (*http.Response, error) {
	proof, err := t.Key.Proof(req.Method, req.URL.String(), token, nonce)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	if again && req.GetBody != nil {
		if r.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	r.Header.Set(Header, proof)
	return t.base().RoundTrip(r)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// askedForNonce: a 400 from a token endpoint or a 401 from an API, with a
// nonce to use.
func askedForNonce(resp *http.Response) bool {
	return (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized) && resp.Header.Get("DPoP-Nonce") != ""
}
