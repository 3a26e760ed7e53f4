package devtenant

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document):
// with the stack's tenant.clientIdMetadataDocuments on, an agent's
// client_id may be the https URL of a JSON document that names it and its
// redirect URIs. The tenant fetches the document when it sees the URL, as
// Auth0 does, and treats the agent as a public client (PKCE, no secret).
//
// Fetching a URL a stranger chose is a server-side request forgery risk: by
// default the tenant only fetches https from public addresses, checked on
// the address it actually connects to (a name that resolves to 10.0.0.1 or
// 127.0.0.1 is refused, DNS rebinding included), follows no redirect,
// ignores proxies, reads at most MaxMetadataDocumentBytes and gives up
// after the timeout. MetadataDocuments.Loopback relaxes only the address
// rule, for this machine: tests and local agents serve their document on
// 127.0.0.1 (https with a CA the options give, or plain http://127.0.0.1).
// Private networks stay refused in every mode.

// MetadataDocuments are the dev tenant's options for fetching agents'
// Client ID Metadata Documents.
type MetadataDocuments struct {
	// Loopback allows documents served on this machine: https to a
	// loopback address (verified with RootCAs), and http://127.0.0.1.
	Loopback bool
	// RootCAs verifies the documents' servers; nil: the system's.
	RootCAs *x509.CertPool
	// Timeout bounds one fetch, connection included; 0: 5 seconds.
	Timeout time.Duration
}

// Limits of a metadata document fetch, the draft's advice.
const (
	MaxMetadataDocumentBytes  = 5 << 10
	MetadataDocumentLifetime  = time.Minute // how long a fetched document is kept
	defaultMetadataTimeout    = 5 * time.Second
	maxCachedMetadataDocument = 1000
)

// errNotMetadataURL says a client_id is not a metadata document URL at all:
// the caller reports an unknown client.
var errNotMetadataURL = errors.New("not a metadata document URL")

// documents fetches and caches agents' metadata documents.
type documents struct {
	opts   MetadataDocuments
	http   *http.Client
	now    func() time.Time
	grants map[string]stackconfig.AgentClientConfig // the stack's agentClients by URL
	pop    *stackconfig.ProofOfPossessionConfig

	mu    sync.Mutex
	cache map[string]cachedDocument
}

type cachedDocument struct {
	client  *client
	expires time.Time
}

func newDocuments(cfg *stackconfig.Config, opts MetadataDocuments, now func() time.Time) *documents {
	if opts.Timeout == 0 {
		opts.Timeout = defaultMetadataTimeout
	}
	d := &documents{opts: opts, now: now, grants: map[string]stackconfig.AgentClientConfig{}, pop: cfg.API.ProofOfPossession,
		cache: map[string]cachedDocument{}}
	for _, a := range cfg.AgentClients {
		d.grants[a.MetadataURL] = a
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, Control: d.checkAddress}
	d.http = &http.Client{
		Timeout: opts.Timeout,
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would connect for us, past checkAddress
			DialContext:            dialer.DialContext,
			TLSClientConfig:        &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    opts.Timeout,
			ResponseHeaderTimeout:  opts.Timeout,
			MaxResponseHeaderBytes: 16 << 10,
			DisableKeepAlives:      true,
		},
		// The document must be at its URL: a redirect could lead anywhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return d
}

// blocked are the address ranges no document is fetched from: private
// networks, shared (CGNAT) space, link-local (cloud metadata services),
// benchmarking, multicast and reserved space. Loopback is refused too,
// unless MetadataDocuments.Loopback.
var blocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
		"192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "::/128", "fc00::/7", "fe80::/10", "ff00::/8", "64:ff9b::/96", "2001:db8::/32"} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// checkAddress runs on the address each connection is about to use, after
// name resolution: what a name resolves to cannot get past it.
func (d *documents) checkAddress(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("metadata document: address %q: %w", address, err)
	}
	ip := ap.Addr().Unmap()
	if ip.IsLoopback() {
		if d.opts.Loopback {
			return nil
		}
		return fmt.Errorf("metadata document: %s is this machine; the dev tenant fetches documents from public addresses only (MetadataDocuments.Loopback allows this machine)", ip)
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return fmt.Errorf("metadata document: %s is a private or reserved address; the dev tenant fetches documents from public addresses only", ip)
		}
	}
	return nil
}

// checkURL applies the draft's rules to a client_id, and the transport
// rule: https, or http://127.0.0.1 in loopback mode.
func (d *documents) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errNotMetadataURL
	}
	if u.Scheme == "http" {
		if !d.opts.Loopback || u.Hostname() != "127.0.0.1" {
			return fmt.Errorf("%q: a metadata document is fetched over https only (http only for 127.0.0.1, in the dev tenant's loopback mode)", raw)
		}
		raw = "https" + strings.TrimPrefix(raw, "http") // the other rules are the same
	}
	if msg := stackconfig.CheckMetadataURL(raw); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// client returns the agent's client for a client_id that is a metadata
// document URL: from the cache, or fetched and checked. errNotMetadataURL
// says id is no URL at all.
func (d *documents) client(ctx context.Context, id string) (*client, error) {
	if err := d.checkURL(id); err != nil {
		return nil, err
	}
	now := d.now()
	d.mu.Lock()
	if e, ok := d.cache[id]; ok && now.Before(e.expires) {
		d.mu.Unlock()
		return e.client, nil
	}
	d.mu.Unlock()
	c, err := d.fetch(ctx, id)
	if err != nil {
		return nil, err // failures are not cached: the agent may fix its document
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.cache) >= maxCachedMetadataDocument {
		for k, e := range d.cache {
			if !now.Before(e.expires) {
				delete(d.cache, k)
			}
		}
		if len(d.cache) >= maxCachedMetadataDocument {
			clear(d.cache) // a flood of distinct URLs: fetch again rather than grow
		}
	}
	d.cache[id] = cachedDocument{client: c, expires: now.Add(MetadataDocumentLifetime)}
	return c, nil
}

// metadataDocument is the part of RFC 7591 client metadata the tenant reads.
type metadataDocument struct {
	ClientID                string   `json:"client_id"`
	ClientName              string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientSecret            *string  `json:"client_secret"`
	ClientSecretExpiresAt   any      `json:"client_secret_expires_at"`
}

func (d *documents) fetch(ctx context.Context, id string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := d.http.Do(req)
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		// Whichever of the timeouts fired, the document was too slow.
		return nil, fmt.Errorf("fetching %s took longer than %s", id, d.opts.Timeout)
	case err != nil:
		return nil, fmt.Errorf("fetching %s: %w", id, err)
	}
	defer resp.Body.Close()
	switch mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, fmt.Errorf("%s answered %d (a redirect): the document must be served at its URL, redirects are not followed", id, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s answered %d, not 200", id, resp.StatusCode)
	case mt != "application/json":
		return nil, fmt.Errorf("%s is served as %q; want application/json", id, mt)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataDocumentBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", id, err)
	case len(body) > MaxMetadataDocumentBytes:
		return nil, fmt.Errorf("%s is larger than %d bytes", id, MaxMetadataDocumentBytes)
	}
	var doc metadataDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a JSON client metadata document: %w", id, err)
	}
	if err := doc.check(id); err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	c := &client{Kind: agent, ID: id, Name: doc.ClientName, Callbacks: doc.RedirectURIs}
	if c.Name == "" {
		c.Name = id
	}
	if a, ok := d.grants[id]; ok {
		c.Granted, c.Scopes = true, a.Grants()
		c.RequirePoP = a.RequireProofOfPossession
	}
	if d.pop != nil && d.pop.Required { // agents are public clients: both requiredFor values cover them
		c.RequirePoP = true
	}
	return c, nil
}

// check applies the draft's rules to a document fetched from id.
func (doc *metadataDocument) check(id string) error {
	switch {
	case doc.ClientID != id:
		return fmt.Errorf("the document's client_id %q is not its URL: a document names only the client at its own URL", doc.ClientID)
	case doc.ClientSecret != nil || doc.ClientSecretExpiresAt != nil:
		return errors.New("a metadata document must not hold a client_secret: anyone can read it")
	case doc.TokenEndpointAuthMethod != "none":
		return fmt.Errorf("token_endpoint_auth_method %q: the dev tenant takes public agents only (none, with PKCE)", doc.TokenEndpointAuthMethod)
	case len(doc.RedirectURIs) == 0:
		return errors.New("redirect_uris is empty: list where the agent receives its login codes")
	case doc.GrantTypes != nil && !slices.Contains(doc.GrantTypes, "authorization_code"):
		return errors.New("grant_types does not include authorization_code")
	case doc.ResponseTypes != nil && !slices.Contains(doc.ResponseTypes, "code"):
		return errors.New("response_types does not include code")
	}
	for _, r := range doc.RedirectURIs {
		if u, err := url.Parse(r); err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "" || strings.Contains(r, "*") {
			return fmt.Errorf("redirect_uris: %q is not an absolute URL without a fragment or wildcard", r)
		}
	}
	return nil
}

// lookupClient finds a client by client_id: a registered one, or an
// agent's by its metadata document when the stack allows them. A nil
// client and nil error mean no such client.
func (t *Tenant) lookupClient(ctx context.Context, id string) (*client, error) {
	if c := t.dir.clients[id]; c != nil || t.docs == nil {
		return c, nil
	}
	c, err := t.docs.client(ctx, id)
	if errors.Is(err, errNotMetadataURL) {
		return nil, nil
	}
	return c, err
}
