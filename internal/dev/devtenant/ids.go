package devtenant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Deterministic, Auth0-shaped identifiers: the same names give the same IDs
// at every start, so tests and browsers can refer to them.

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func derive(kind, name string, n int) string {
	sum := sha256.Sum256([]byte("devtenant/" + kind + "/" + name))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphanumeric[int(sum[i%len(sum)])%len(alphanumeric)]
	}
	return string(b)
}

func orgID(name string) string    { return "org_" + derive("org", name, 16) }
func clientID(name string) string { return derive("client", name, 32) }
func roleID(name string) string   { return "rol_" + derive("role", name, 16) }

func userID(email string) string {
	sum := sha256.Sum256([]byte("devtenant/user/" + strings.ToLower(email)))
	return "auth0|" + hex.EncodeToString(sum[:12])
}

// GeneratePassword returns a random password that meets every Auth0
// password policy (20 characters and dashes, mixed case and digits, no
// character three times in a row).
func GeneratePassword() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	for {
		b := make([]byte, 0, 20)
		raw := make([]byte, 20)
		rand.Read(raw)
		for _, c := range raw {
			b = append(b, alphabet[int(c)%len(alphabet)])
		}
		s := string(b[0:5]) + "-" + string(b[5:10]) + "-" + string(b[10:15]) + "-" + string(b[15:20])
		if strongEnough(s) {
			return s
		}
	}
}

func strongEnough(s string) bool {
	var lower, upper, digit bool
	for i, r := range s {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
		if i >= 2 && s[i-1] == s[i] && s[i-2] == s[i] {
			return false
		}
	}
	return lower && upper && digit
}
