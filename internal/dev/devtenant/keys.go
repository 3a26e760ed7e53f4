package devtenant

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// signer signs the tenant's tokens with one RSA key, published in the JWKS
// under a kid that is the key's RFC 7638 thumbprint.
type signer struct {
	method jwt.SigningMethod
	key    *rsa.PrivateKey
	kid    string
	jwks   []byte
}

func newSigner(alg string, key *rsa.PrivateKey) (*signer, error) {
	methods := map[string]jwt.SigningMethod{"RS256": jwt.SigningMethodRS256, "PS256": jwt.SigningMethodPS256}
	method, ok := methods[alg]
	if !ok {
		return nil, fmt.Errorf("devtenant: signing algorithm %q: the dev tenant signs with RS256 or PS256, as the stack allows", alg)
	}
	s := &signer{method: method, key: key, kid: thumbprint(&key.PublicKey)}
	jwk, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
		ALG: jwkset.ALG(alg), KID: s.kid, USE: jwkset.UseSig,
	}})
	if err != nil {
		return nil, fmt.Errorf("devtenant: JWKS: %w", err)
	}
	set := jwkset.NewMemoryStorage()
	if err := set.KeyWrite(context.Background(), jwk); err != nil {
		return nil, err
	}
	if s.jwks, err = set.JSONPublic(context.Background()); err != nil {
		return nil, fmt.Errorf("devtenant: JWKS: %w", err)
	}
	return s, nil
}

// sign signs claims with the kid header.
func (s *signer) sign(claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(s.method, claims)
	t.Header["kid"] = s.kid
	return t.SignedString(s.key)
}

// parse verifies a token this tenant signed (for id_token_hint and
// /userinfo) and returns its claims; expiry is checked, audience and
// issuer by the caller's options.
func (s *signer) parse(token string, opts ...jwt.ParserOption) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	opts = append(opts, jwt.WithValidMethods([]string{s.method.Alg()}))
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != s.kid {
			return nil, fmt.Errorf("unknown kid")
		}
		return &s.key.PublicKey, nil
	}, opts...)
	return claims, err
}

// thumbprint is the RFC 7638 JWK thumbprint of an RSA public key.
func thumbprint(pub *rsa.PublicKey) string {
	b64 := base64.RawURLEncoding.EncodeToString
	canonical, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{b64(big.NewInt(int64(pub.E)).Bytes()), "RSA", b64(pub.N.Bytes())})
	sum := sha256.Sum256(canonical)
	return b64(sum[:])
}
