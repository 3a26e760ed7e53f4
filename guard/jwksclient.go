package guard

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Errors of a JWKS fetch, logged when a refresh fails.
var (
	// ErrJWKSRedirect: the JWKS URL answered with a redirect. A redirect
	// could move key retrieval to a host the configuration never named.
	ErrJWKSRedirect = errors.New("the JWKS URL redirects; redirects are not followed, configure the final URL")
	// ErrJWKSTooLarge: the JWKS response is larger than Config.MaxJWKSBytes.
	ErrJWKSTooLarge = errors.New("the JWKS response is larger than the limit (Config.MaxJWKSBytes)")
)

// jwksClient is base (its timeout, proxy and TLS settings) with redirects
// refused and responses bounded to limit bytes, whatever base allowed.
func jwksClient(base *http.Client, limit int64) *http.Client {
	c := *base
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return fmt.Errorf("%w (to %s)", ErrJWKSRedirect, req.URL.Redacted())
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = boundedTransport{next: next, limit: limit}
	return &c
}

type boundedTransport struct {
	next  http.RoundTripper
	limit int64
}

func (t boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", ErrJWKSTooLarge, resp.ContentLength, t.limit)
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, left: t.limit}
	return resp, nil
}

// boundedBody fails once more than its limit has been read, so that a
// response without Content-Length cannot grow without end either.
type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var probe [1]byte
		if n, err := b.ReadCloser.Read(probe[:]); n == 0 {
			return 0, err
		}
		return 0, ErrJWKSTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
