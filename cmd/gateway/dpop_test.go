package main

import (
	"io"
	"strings"
	"testing"
)

func TestDPoPFlags(t *testing.T) {
	vars := minimalEnv()
	o, err := parse(nil, env(vars), io.Discard)
	if err != nil || o.DPoP.Mode != "disabled" || o.DPoP.NonceSecret != nil {
		t.Fatalf("default: %+v, %v", o.DPoP, err)
	}
	vars["DPOP_MODE"], vars["DPOP_NONCE_SECRET"] = "allowed", strings.Repeat("n", 32)
	if o, err = parse(nil, env(vars), io.Discard); err != nil || o.DPoP.Mode != "allowed" || string(o.DPoP.NonceSecret) != vars["DPOP_NONCE_SECRET"] {
		t.Errorf("from the environment: %+v, %v", o.DPoP, err)
	}
	if o, err = parse([]string{"-dpop", "required"}, env(vars), io.Discard); err != nil || o.DPoP.Mode != "required" {
		t.Errorf("the flag wins: %+v, %v", o.DPoP, err)
	}
}
