package guard

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// proofClaims are a DPoP proof's claims (RFC 9449 section 4.2).
type proofClaims struct {
	JTI   string      `json:"jti"`
	HTM   string      `json:"htm"`
	HTU   string      `json:"htu"`
	IAT   numericDate `json:"iat"`
	ATH   string      `json:"ath"`
	Nonce string      `json:"nonce"`
}

// maxJTI bounds what a proof's jti may be: it is remembered, hashed, but a
// megabyte of it would still be read and hashed.
const maxJTI = 256

// proofErr is an ErrInvalidDPoPProof naming what to fix.
func proofErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidDPoPProof, fmt.Sprintf(format, args...))
}

// dpopProof is the request's one DPoP header: none or two are refused, so
// that two hops cannot each check a different proof.
func dpopProof(r *http.Request) (string, error) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return "", proofErr("the DPoP scheme needs a DPoP header with a proof signed by the token's key")
	case 1:
		return values[0], nil
	default:
		return "", proofErr("%d DPoP headers, want one", len(values))
	}
}

// verify checks proof for a request carrying token, bound to the key whose
// RFC 7638 thumbprint is jkt, against the public URL.
func (d *dpopChecker) verify(ctx context.Context, r *http.Request, proof, token, jkt string) error {
	_, err := d.check(ctx, proof, r.Method, d.base+r.URL.EscapedPath(), token, jkt)
	return err
}

// check checks proof in the order of RFC 9449 section 4.3 and returns its
// key's thumbprint. token and jkt are "" at a token endpoint only, where no
// token is presented yet and any key may be bound. The jti is used up
// last, so that a proof refused for another reason does not fill the
// replay store.
func (d *dpopChecker) check(ctx context.Context, proof, method, want, token, jkt string) (string, error) {
	algs := make([]jose.SignatureAlgorithm, len(d.Algs))
	for i, a := range d.Algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	// go-jose refuses algorithms not listed (none, HS*), and an embedded
	// jwk that is not a valid public key (a private or symmetric one).
	jws, err := jose.ParseSignedCompact(proof, algs)
	if err != nil {
		return "", proofErr("not a JWS signed with one of %s and an embedded public jwk (%v)", d.algs, err)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return "", proofErr("header typ %q, want \"dpop+jwt\"", typ)
	}
	if h.JSONWebKey == nil {
		return "", proofErr("no jwk header: the proof must embed the public key that signs it")
	}
	payload, err := jws.Verify(h.JSONWebKey)
	if err != nil {
		return "", proofErr("the signature does not verify with the embedded jwk")
	}
	var c proofClaims
	if err := json.Unmarshal(payload, &c); err != nil || c.IAT.date == nil || c.JTI == "" || c.HTM == "" || c.HTU == "" {
		return "", proofErr("claims jti, htm, htu and iat (a number) are all required")
	}
	if len(c.JTI) > maxJTI {
		return "", proofErr("jti longer than %d bytes", maxJTI)
	}
	if c.HTM != method {
		return "", proofErr("htm %q is not the request's method %s", c.HTM, method)
	}
	if !d.sameHTU(c.HTU, want) {
		return "", proofErr("htu %q is not the URL called, %s (without query)", c.HTU, want)
	}
	now := d.now()
	iat := c.IAT.date.Time
	if iat.Before(now.Add(-d.MaxAge)) || iat.After(now.Add(d.leeway)) {
		return "", proofErr("iat %d is not within %s before and %s after the server's time (%d): sign a new proof for each request", iat.Unix(), d.MaxAge, d.leeway, now.Unix())
	}
	if token != "" && !equal(c.ATH, ath(token)) {
		return "", proofErr("ath is not the base64url SHA-256 of the access token sent")
	}
	sum, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	thumb := base64.RawURLEncoding.EncodeToString(sum)
	if err != nil || (jkt != "" || token != "") && !equal(thumb, jkt) {
		return "", proofErr("the proof's key is not the one the token is bound to (cnf.jkt)")
	}
	if d.Nonces != nil && !d.Nonces.Valid(c.Nonce) {
		return "", fmt.Errorf("%w: send the nonce of the DPoP-Nonce header in the proof's nonce claim", ErrUseDPoPNonce)
	}
	fresh, err := d.Replay.FirstUse(ctx, replayKey(thumb, c.JTI), iat.Add(d.MaxAge+time.Second))
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrReplayStoreUnavailable, err)
	case !fresh:
		return "", proofErr("jti was already used: sign a new proof for each request")
	}
	return thumb, nil
}

// sameHTU compares htu and the URL called after normalization; an htu that
// is not an absolute http(s) URL never matches.
func (d *dpopChecker) sameHTU(htu, want string) bool {
	u, err := url.Parse(htu)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return normalizeHTU(u) == want
}

// ath is the ath claim a proof for token carries: base64url SHA-256.
func ath(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
