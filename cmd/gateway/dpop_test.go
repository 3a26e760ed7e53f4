package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// A stack that requires DPoP of every client makes a gateway started from
// its outputs require it, unless -dpop or DPOP_MODE says otherwise; a
// stack that requires it of public clients only (M2M tokens stay bearer
// tokens), or merely allows it, leaves the gateway as it was.
func TestDPoPModeFromStackOutputs(t *testing.T) {
	write := func(pop string) string {
		path := filepath.Join(t.TempDir(), "outputs.json")
		body := `{"audience":"https://a/","issuer":"https://t.us.auth0.com/","tenantDomain":"t.us.auth0.com"` + pop + `}`
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		return path
	}
	all := write(`,"proofOfPossession":{"mechanism":"dpop","required":true,"requiredFor":"all_clients"}`)
	public := write(`,"proofOfPossession":{"mechanism":"dpop","required":true,"requiredFor":"public_clients"}`)
	allowed := write(`,"proofOfPossession":{"mechanism":"dpop","required":false,"requiredFor":""}`)
	none := write("")
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"required of all clients", []string{"-stack-outputs", all}, nil, "required"},
		{"the flag wins", []string{"-stack-outputs", all, "-dpop", "allowed"}, nil, "allowed"},
		{"the environment wins", []string{"-stack-outputs", all}, map[string]string{"DPOP_MODE": "disabled"}, "disabled"},
		{"required of public clients only", []string{"-stack-outputs", public}, nil, "disabled"},
		{"allowed", []string{"-stack-outputs", allowed}, nil, "disabled"},
		{"no proofOfPossession output", []string{"-stack-outputs", none}, nil, "disabled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := parse(append(c.args, "-upstream", "http://127.0.0.1:9", "-public-url", "https://models.example.com"), env(c.env), io.Discard)
			require.NoError(t, err)
			assert.Equal(t, c.want, o.DPoP.Mode)
			assert.Equal(t, c.args[1] == all, o.DPoP.RequiredOfAll, "the stack's requirement, for the gateway to check -dpop against")
		})
	}
}
