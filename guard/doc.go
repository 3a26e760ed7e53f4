// Package guard checks the access tokens an Auth0 tenant issues for a model
// API, in front of the handlers that serve it.
//
// A token passes when it is the one `Authorization: Bearer` JWT of the
// request, signed with the API's algorithm (Config.SigningAlg: RS256 by
// default, or PS256; never `none`, HS* or any other) by an RSA key in the
// tenant's JWKS (looked up by `kid`), its `iss` is exactly https://DOMAIN/,
// its `aud` contains the API identifier, and it has not expired (`exp` is
// required; `nbf` and `iat` are honoured, with a small leeway; all three
// must be JSON numbers). The `jku`, `x5u`, `jwk` and `x5c` headers are never
// followed, an oversized header is refused before any parsing, and a token
// in the query string is refused. A route then requires scopes or RBAC
// permissions (the `scope` claim split on spaces, and the `permissions`
// claim, matched exactly) and optionally an organization.
//
// A refusal carries the WWW-Authenticate challenges of RFC 6750 (and RFC
// 9449 with DPoP), each naming every scope the route needs (`scope`, on a
// 401 as on a 403: Requirement.Scopes) and, with
// Config.ResourceMetadataURL, where agents find how to get a token
// (`resource_metadata`, RFC 9728): what MCP clients read to log in and to
// ask for more scopes. A handler that refuses after Require, having found
// the call needs more (a permission the body asks for), challenges the
// same way with Validator.Challenge.
//
// With Config.DPoP, a token bound to a key (`cnf.jkt`, RFC 9449) comes as
// `Authorization: DPoP` with a proof in the `DPoP` header, signed by that
// key for this method and URL (the configured public URL, never Host), for
// this token (`ath`), recently (`iat`), once (`jti`, in a ReplayStore) and,
// with nonces, with the server's nonce. A bound token sent as Bearer is
// refused whatever the mode. go-jose (github.com/go-jose/go-jose/v4) parses
// the proof's JWS and embedded key and computes the RFC 7638 thumbprint:
// asymmetric algorithms only, and a private key in the header is refused
// at parsing. The proof's ES256 check costs more than the token's RS256
// one (BenchmarkDPoPOverBearer): no part of a single-use proof can be
// cached.
//
// # Libraries, and why
//
// JWT parsing, signature and claim checks are github.com/golang-jwt/jwt/v5,
// with an algorithm allow-list and exact issuer and audience checks built
// in. Claims are decoded into this package's own type (claims.go), which
// refuses a string where a numeric date belongs and allocates less than
// jwt.RegisteredClaims: a validation costs about 1.25-1.3x the bare RSA
// verification it wraps (BenchmarkValidateOverFloor). The key set is
// github.com/MicahParks/jwkset: one fetch at start, a background refresh,
// the last good key set kept when a refresh fails, and a rate-limited
// refresh for an unknown `kid`. This package adds what it does not do:
// concurrent requests with unknown kids share one refresh
// (golang.org/x/sync/singleflight) instead of queueing on the rate limiter;
// a cold cache (no key ever fetched) is told apart from an unknown key, so
// that it answers 503 rather than 401; and the JWKS is fetched over https
// only (http for loopback), without following redirects, within
// Config.MaxJWKSBytes and Config.FetchTimeout (2 s by default).
//
// github.com/auth0/go-jwt-middleware/v3 was measured at about 3.3x the RSA
// floor, has no unknown-`kid` refresh, and makes one blocking fetch per
// waiting request when the JWKS endpoint hangs, so it is not used.
package guard
