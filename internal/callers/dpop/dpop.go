// Package dpop is the caller's side of DPoP (RFC 9449): a key pair the
// caller holds, and the proofs it signs with it, one per request, so that
// a token bound to the key is useless to whoever copies it without the
// key. go-jose does the JWS and the RFC 7638 thumbprint.
package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Header is the request header a proof travels in.
const Header = "DPoP"

// Key is an ES256 key a caller proves possession of.
type Key struct {
	private    *ecdsa.PrivateKey
	signer     jose.Signer
	thumbprint string
	// Now is the clock proofs' iat come from (nil: time.Now).
	Now func() time.Time
}

// NewKey makes a P-256 key.
func NewKey() (*Key, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return FromPrivate(k)
}

// FromPrivate wraps a P-256 private key.
func FromPrivate(k *ecdsa.PrivateKey) (*Key, error) {
	if k.Curve != elliptic.P256() {
		return nil, errors.New("dpop: want a P-256 key (ES256)")
	}
	pub := jose.JSONWebKey{Key: &k.PublicKey}
	sum, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	// The public key goes in the protected header (jwk), as RFC 9449
	// section 4.2 has it; typ marks the JWT as a proof and nothing else.
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, opts)
	if err != nil {
		return nil, err
	}
	return &Key{private: k, signer: signer, thumbprint: base64.RawURLEncoding.EncodeToString(sum)}, nil
}

// Thumbprint is the key's RFC 7638 SHA-256 thumbprint, base64url: the
// cnf.jkt of the tokens bound to it.
func (k *Key) Thumbprint() string { return k.thumbprint }

// Proof signs a proof for one request: method and URL as sent (query and
// fragment are dropped), the access token it carries ("" at the token
// endpoint) and the server's nonce ("" if none was asked for).
func (k *Key) Proof(method, target, accessToken, nonce string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("dpop: %q is not an absolute URL", target)
	}
	u.RawQuery, u.Fragment = "", ""
	jti := make([]byte, 16)
	rand.Read(jti)
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti), "htm": method, "htu": u.String(), "iat": now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return Sign(k.signer, claims)
}

// MarshalPEM is the private key as PKCS#8 PEM, to keep it in a file only
// its owner can read.
func (k *Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePEM reads what MarshalPEM wrote.
func ParsePEM(b []byte) (*Key, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("dpop: not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("dpop: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("dpop: not an EC key")
	}
	return FromPrivate(ec)
}
