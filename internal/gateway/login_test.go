package gateway

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

func TestLoginConfigurationListsEveryProblem(t *testing.T) {
	secretFile := writeFile(t, "secret", "from-a-file\n")
	cases := []struct {
		name string
		set  func(o *Options)
		want []string
		not  []string
	}{
		{
			name: "client ID without the rest",
			set: func(o *Options) {
				o.Login = Login{ClientID: "abc", DefaultOrg: "Acme Corp", TrustedProxies: "10.0.0.0/8,proxy.internal"}
				o.Limits.RedisURL = "http://:pw@127.0.0.1:6379"
			},
			want: []string{
				`login: -trusted-proxies / TRUSTED_PROXIES: trusted proxies: "proxy.internal" is neither an address nor a CIDR`,
				"no client secret: export AUTH0_CLIENT_SECRET or pass -client-secret-file",
				"no public URL: set -public-url or PUBLIC_URL",
				`default organization "Acme Corp"`,
				"invalid Redis URL: -redis / REDIS_URL",
			},
		},
		{
			name: "http public URL",
			set: func(o *Options) {
				o.Login.ClientID, o.Login.ClientSecret, o.PublicURL = "abc", "from-env", "http://models.example.com"
			},
			want: []string{`-public-url / PUBLIC_URL: public URL "http://models.example.com"`},
			not:  []string{"login: public URL"}, // reported once, for the whole gateway
		},
		{
			name: "two secrets",
			set: func(o *Options) {
				o.Login.ClientID, o.Login.ClientSecretFile, o.Login.ClientSecret = "abc", secretFile, "from-env"
				o.PublicURL = "https://models.example.com"
			},
			want: []string{"both AUTH0_CLIENT_SECRET and -client-secret-file are set"},
		},
		{
			name: "missing secret file",
			set: func(o *Options) {
				o.Login.ClientID, o.Login.ClientSecretFile = "abc", filepath.Join(t.TempDir(), "nope")
				o.PublicURL = "https://models.example.com"
			},
			want: []string{"-client-secret-file: open"},
		},
		{
			name: "short session secret",
			set: func(o *Options) {
				o.Login.ClientID, o.Login.ClientSecret, o.Login.SessionSecret = "abc", "s", []byte("too-short")
				o.PublicURL = "https://models.example.com"
			},
			want: []string{"session secret is 9 bytes"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := minimalOptions()
			c.set(&o)
			err := o.Validate()
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, n := range c.not {
				assert.NotContains(t, err.Error(), n)
			}
			for _, secret := range []string{"from-env", "from-a-file", ":pw@", "too-short"} {
				assert.NotContains(t, err.Error(), secret, "secrets are never repeated")
			}
		})
	}
}

// The stack's web app is the login's client only when its secret is given:
// outputs alone leave the login off.
func TestLoginFromTheStacksWebApp(t *testing.T) {
	o := minimalOptions()
	o.PublicURL = "https://models.example.com"
	o.Login.WebAppClientID = "web-client-id"
	cfg, err := o.Login.config(o, nil, guard.DPoPConfig{})
	require.NoError(t, err)
	assert.Nil(t, cfg, "no secret: no login")

	o.Login.ClientSecret = "s3cret"
	cfg, err = o.Login.config(o, nil, guard.DPoPConfig{})
	require.NoError(t, err)
	require.NotNil(t, cfg)
	assert.Equal(t, "web-client-id", cfg.ClientID)
	assert.Equal(t, "https://t.us.auth0.com/", cfg.Issuer, "the issuer of the tenant's domain")

	o.Login.ClientID = "abc"
	cfg, err = o.Login.config(o, nil, guard.DPoPConfig{})
	require.NoError(t, err)
	assert.Equal(t, "abc", cfg.ClientID, "-client-id wins")
}

// The login asks for DPoP-bound tokens exactly when the guard takes DPoP,
// and signs its proofs with the guard's nonces when it hands some out.
func TestLoginBindsTokensWhenTheGatewayTakesDPoP(t *testing.T) {
	for _, c := range []struct {
		mode   string
		nonces bool
		want   guard.DPoPMode
	}{
		{"", false, ""},
		{"disabled", false, ""},
		{"allowed", false, guard.DPoPAllowed},
		{"required", false, guard.DPoPRequired},
		{"required", true, guard.DPoPRequired},
	} {
		t.Run(fmt.Sprintf("%s nonces=%v", c.mode, c.nonces), func(t *testing.T) {
			o := minimalOptions()
			o.PublicURL, o.Login.ClientID, o.Login.ClientSecret, o.DPoP.Mode = "https://models.example.com", "abc", "s3cret", c.mode
			if c.nonces {
				o.DPoP.NonceSecret = make([]byte, 32)
			}
			p, err := o.assemble(quietLogger)
			require.NoError(t, err)
			defer p.close()
			require.NotNil(t, p.login)
			assert.Equal(t, c.want, p.login.DPoP)
			if !c.nonces {
				assert.Nil(t, p.login.DPoPNonce)
				return
			}
			require.NotNil(t, p.login.DPoPNonce)
			assert.True(t, p.guard.DPoP.Nonces.Valid(p.login.DPoPNonce()), "the guard's own nonce")
		})
	}
}

// The trusted proxies reach the login's limit, parsed.
func TestTrustedProxies(t *testing.T) {
	for given, want := range map[string][]string{
		"192.0.2.7":                 {"192.0.2.7/32"},
		"10.0.0.0/8, 2001:db8::/32": {"10.0.0.0/8", "2001:db8::/32"},
	} {
		o := minimalOptions()
		o.PublicURL = "https://models.example.com"
		o.Login = Login{ClientID: "abc", ClientSecret: "s", TrustedProxies: given}
		cfg, err := o.Login.config(o, nil, guard.DPoPConfig{})
		require.NoError(t, err)
		var got []string
		for _, p := range cfg.TrustedProxies {
			got = append(got, p.String())
		}
		assert.Equal(t, want, got)
	}
}

var quietLogger = slog.New(slog.DiscardHandler)
