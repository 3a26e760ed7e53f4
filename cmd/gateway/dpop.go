package main

import (
	"flag"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// registerDPoP adds -dpop. The nonce secret is read from the environment
// only (DPOP_NONCE_SECRET): a flag's value is visible to every user of the
// machine in ps.
func registerDPoP(fs *flag.FlagSet, d *gateway.DPoP, getenv func(k, def string) string) {
	// No default here: unset, the stack outputs decide (dpopFromOutputs).
	fs.StringVar(&d.Mode, "dpop", getenv("DPOP_MODE", ""), "DPoP-bound tokens (RFC 9449): disabled, allowed or required; needs -public-url (env DPOP_MODE; DPOP_NONCE_SECRET, 32 bytes or more, adds server nonces); default: required when the stack outputs say the API requires DPoP of all clients, else disabled")
	if s := getenv("DPOP_NONCE_SECRET", ""); s != "" {
		d.NonceSecret = []byte(s)
	}
}

// dpopFromOutputs settles the mode the flag and the environment left
// unset: required when the stack requires bound tokens of every client (a
// bearer token then is a stolen one or a misconfigured client, and the
// gateway should not take it); otherwise disabled, as before. A gateway
// that must take bearer tokens anyway says so with -dpop allowed.
func dpopFromOutputs(d *gateway.DPoP, p *stackoutputs.ProofOfPossession) {
	d.RequiredOfAll = p.RequiredOfAll()
	switch {
	case d.Mode != "":
	case p.RequiredOfAll():
		d.Mode = "required"
	default:
		d.Mode = "disabled"
	}
}
