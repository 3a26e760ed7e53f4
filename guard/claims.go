package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// errNotNumericDate is why a token whose exp, nbf or iat is not a JSON
// number is refused: jwt.NumericDate also takes a string such as
// "1767225600", which no issuer sends and another verifier would read
// differently.
var errNotNumericDate = errors.New("a numeric date (exp, nbf, iat) must be a JSON number")

// claims are the claims a Validator reads. It implements jwt.Claims, so
// golang-jwt's validator still checks exp, nbf, iat, iss and aud; it only
// decodes them itself, with fewer allocations than jwt.RegisteredClaims (no
// nested json.Unmarshal per date) and more strictly.
type claims struct {
	Issuer    string      `json:"iss"`
	Subject   string      `json:"sub"`
	Audience  audience    `json:"aud"`
	ExpiresAt numericDate `json:"exp"`
	NotBefore numericDate `json:"nbf"`
	IssuedAt  numericDate `json:"iat"`

	Scope       string   `json:"scope"`
	Permissions []string `json:"permissions"`
	OrgID       string   `json:"org_id"`
	AZP         string   `json:"azp"`
	ClientID    string   `json:"client_id"` // the RFC 9068 token profile's name for azp
	GrantType   string   `json:"gty"`       // Auth0's: client-credentials for an M2M token
	Cnf         struct {
		JKT string `json:"jkt"` // DPoP: the thumbprint of the key the token is bound to
	} `json:"cnf"`
}

func (c *claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt.date, nil }
func (c *claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.NotBefore.date, nil }
func (c *claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt.date, nil }
func (c *claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c *claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c *claims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings(c.Audience), nil }

// numericDate is RFC 7519's NumericDate: seconds since the epoch, as a JSON
// number and nothing else (not a string, not null).
type numericDate struct{ date *jwt.NumericDate }

// maxSeconds keeps a date inside what time.Unix represents: a larger
// number would wrap around and an nbf far in the future would pass.
const maxSeconds = 1 << 40

func (d *numericDate) UnmarshalJSON(b []byte) error {
	// json.Unmarshal has checked b is valid JSON: a leading '-' or digit
	// makes it a number.
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return errNotNumericDate
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.Abs(f) > maxSeconds {
		return errNotNumericDate
	}
	// As jwt.NumericDate does: fractional seconds kept, then truncated to
	// jwt.TimePrecision.
	whole, frac := math.Modf(f)
	d.date = jwt.NewNumericDate(time.Unix(int64(whole), int64(frac*1e9)))
	return nil
}

// audience is the aud claim: one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	// The usual aud, a plain string: json.Unmarshal has checked b is a
	// valid JSON string, so without escapes its bytes are the value.
	if n := len(b); n >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		*a = audience{string(b[1 : n-1])}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return jwt.ErrInvalidType
	}
	*a = list
	return nil
}
