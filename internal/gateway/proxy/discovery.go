package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// WellKnownPath is where OAuth 2.0 Protected Resource Metadata is served
// (RFC 9728 section 3).
const WellKnownPath = "/.well-known/oauth-protected-resource"

// Discovery is what agents (MCP clients) are told of the API: the metadata
// of RFC 9728, served by the gateway and named by resource_metadata in
// every WWW-Authenticate challenge, as the Model Context Protocol's
// authorization specification requires of protected servers.
type Discovery struct {
	// PublicURL is the gateway's external base URL, such as
	// https://models.example.com. It is configured, never taken from a
	// request's Host header, which a caller can set to anything.
	PublicURL *url.URL
	// Audience is the API identifier: the metadata's resource.
	Audience string
	// Issuer is the tenant, the metadata's authorization server.
	Issuer string
}

// ParsePublicURL checks the gateway's external base URL: absolute, https
// (http only on loopback, for trying things out), no path, query or
// fragment.
func ParsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	bad := err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		!(u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname())))
	if bad {
		return nil, fmt.Errorf("public URL %q: want the gateway's external base URL, https with a host and no path, such as https://models.example.com", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// MetadataPath is the path of the metadata on the gateway:
// /.well-known/oauth-protected-resource, followed by the audience's path
// when the audience is a URL on the gateway's origin with one
// (https://models.example.com/v1 -> /.well-known/oauth-protected-resource/v1,
// RFC 9728 section 3.1).
func (d *Discovery) MetadataPath() string {
	a, err := url.Parse(d.Audience)
	if err != nil || !d.SameOrigin() || a.Path == "" || a.Path == "/" {
		return WellKnownPath
	}
	return WellKnownPath + strings.TrimSuffix(a.EscapedPath(), "/")
}

// MetadataURL is the absolute URL of the metadata, for resource_metadata.
func (d *Discovery) MetadataURL() string {
	return d.PublicURL.Scheme + "://" + d.PublicURL.Host + d.MetadataPath()
}

// SameOrigin reports whether the audience is a URL on the gateway's origin.
// RFC 9728 section 3.3 has clients refuse metadata whose resource is not
// the URL they called (MCP clients check it), so for agents the API
// identifier must be the gateway's public URL.
func (d *Discovery) SameOrigin() bool {
	a, err := url.Parse(d.Audience)
	return err == nil && strings.EqualFold(a.Scheme, d.PublicURL.Scheme) && strings.EqualFold(a.Host, d.PublicURL.Host)
}

// metadata is the RFC 9728 document.
type metadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
}

// handler serves the metadata: scopes_supported are the scopes and
// permissions the routes need, tokens only in the Authorization header.
func (d *Discovery) handler(routes []Route) http.Handler {
	var scopes []string
	for _, r := range append(ReferenceRoutes(), routes...) {
		scopes = append(scopes, r.AllOf...)
		scopes = append(scopes, r.AnyOf...)
	}
	slices.Sort(scopes)
	body, _ := json.Marshal(metadata{
		Resource:               d.Audience,
		AuthorizationServers:   []string{d.Issuer},
		ScopesSupported:        slices.Compact(scopes),
		BearerMethodsSupported: []string{"header"},
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=3600")
		// Public information, which browser-based agents read across origins.
		h.Set("Access-Control-Allow-Origin", "*")
		w.Write(body)
	})
}

// validate reports what is missing, and a route that would hide the
// metadata.
func (d *Discovery) validate(routes []Route) error {
	switch {
	case d.PublicURL == nil || d.PublicURL.Host == "":
		return fmt.Errorf("discovery: the gateway's public URL is not set (-public-url)")
	case d.Audience == "" || d.Issuer == "":
		return fmt.Errorf("discovery: the audience and the issuer are needed for the protected resource metadata")
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		register(mux, r.Pattern) // bad patterns are reported by validateRoutes
	}
	if err := register(mux, "GET "+d.MetadataPath()); err != nil {
		return fmt.Errorf("discovery: a route takes the metadata's path %s: %v", d.MetadataPath(), err)
	}
	return nil
}
