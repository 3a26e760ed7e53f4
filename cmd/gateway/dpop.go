package main

import (
	"flag"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
)

// registerDPoP adds -dpop. The nonce secret is read from the environment
// only (DPOP_NONCE_SECRET): a flag's value is visible to every user of the
// machine in ps.
func registerDPoP(fs *flag.FlagSet, d *gateway.DPoP, getenv func(k, def string) string) {
	fs.StringVar(&d.Mode, "dpop", getenv("DPOP_MODE", "disabled"), "DPoP-bound tokens (RFC 9449): disabled, allowed or required; needs -public-url (env DPOP_MODE; DPOP_NONCE_SECRET, 32 bytes or more, adds server nonces)")
	if s := getenv("DPOP_NONCE_SECRET", ""); s != "" {
		d.NonceSecret = []byte(s)
	}
}
