// Package tenanturl is where an Auth0 tenant serves what tokens need: its
// issuer, named by the tenant's domain, and the endpoints under it. The
// program exports these URLs, the gateway and guard check tokens against
// them, the token client and the login call them, and the dev tenant serves
// them: one rule for all.
package tenanturl

// Issuer is the issuer of a tenant's tokens: https://DOMAIN/, with the
// trailing slash Auth0 puts in every token's iss.
func Issuer(domain string) string { return "https://" + domain + "/" }

// JWKS is where the issuer publishes its signing keys.
func JWKS(issuer string) string { return issuer + ".well-known/jwks.json" }

// Token is the issuer's token endpoint.
func Token(issuer string) string { return issuer + "oauth/token" }

// Revoke is the issuer's refresh-token revocation endpoint (RFC 7009).
func Revoke(issuer string) string { return issuer + "oauth/revoke" }
