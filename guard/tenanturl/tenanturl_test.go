package tenanturl_test

import (
	"testing"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

func TestURLs(t *testing.T) {
	iss := tenanturl.Issuer("acme.us.auth0.com")
	for _, tc := range []struct{ name, got, want string }{
		{"Issuer", iss, "https://acme.us.auth0.com/"},
		{"JWKS", tenanturl.JWKS(iss), "https://acme.us.auth0.com/.well-known/jwks.json"},
		{"Token", tenanturl.Token(iss), "https://acme.us.auth0.com/oauth/token"},
		{"Revoke", tenanturl.Revoke(iss), "https://acme.us.auth0.com/oauth/revoke"},
		{"JWKS of a loopback issuer", tenanturl.JWKS("http://127.0.0.1:7300/"), "http://127.0.0.1:7300/.well-known/jwks.json"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
