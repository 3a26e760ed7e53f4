package main

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/testissuer"
)

// The organizations of orgOutputs, by name.
var fakeOrgs = map[string]string{"acme": "org_W0s9Fq0GpaDQ0bAl", "globex": "org_G1obexG1obex0002"}

// fakeTenant is how a fakeAuth0 behaves.
type fakeTenant struct {
	namesAllowed bool
	// answerOrg, when set, is the organization ID of every token, whatever
	// was asked: a tenant that does not do what it was asked.
	answerOrg string
	// noOrgName leaves org_name out even when names are allowed.
	noOrgName bool
}

// fakeAuth0 is Auth0's /oauth/token for client credentials with
// organizations: any org_ ID is an organization; a name is refused unless
// the tenant allows organization names in the Authentication API, which
// also adds org_name to tokens. It records the organization parameters
// it gets.
type fakeAuth0 struct {
	fakeTenant
	iss  *testissuer.Issuer
	srv  *httptest.Server
	mu   sync.Mutex
	sent []string
}

func startFakeAuth0(t *testing.T, behaviour fakeTenant) *fakeAuth0 {
	f := &fakeAuth0{fakeTenant: behaviour, iss: testissuer.New(t)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		org := r.PostForm.Get("organization")
		f.mu.Lock()
		f.sent = append(f.sent, org)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fail := func(code, desc string) {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
		}
		if r.PostForm.Get("client_secret") != secret || r.PostForm.Get("audience") != f.iss.Audience {
			fail("access_denied", "Unauthorized")
			return
		}
		claims := map[string]any{"azp": r.PostForm.Get("client_id")}
		if org != "" {
			id, name := org, ""
			for n, i := range fakeOrgs {
				if i == org {
					name = n
				}
			}
			if !strings.HasPrefix(org, "org_") {
				if !f.namesAllowed {
					fail("invalid_request", "parameter organization must be an organization id")
					return
				}
				if id, name = fakeOrgs[org], org; id == "" {
					fail("invalid_request", "parameter organization is invalid")
					return
				}
			}
			if f.answerOrg != "" {
				id = f.answerOrg
			}
			claims["org_id"] = id
			if f.namesAllowed && !f.noOrgName && name != "" {
				claims["org_name"] = name
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": f.iss.Token(claims), "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(srv.Close)
	f.srv = srv
	return f
}

// orgOutputs are stack outputs with organizations and clients that deny,
// require (linked to acme) and allow any organization.
func orgOutputs(t *testing.T, iss *testissuer.Issuer, tokenURL string) string {
	path := filepath.Join(t.TempDir(), "outputs.json")
	b, err := json.Marshal(map[string]any{
		"audience": iss.Audience, "issuer": iss.Issuer, "tokenEndpoint": tokenURL, "organizations": fakeOrgs,
		"clients": map[string]any{
			"batch-scorer": map[string]any{"clientId": "cid-batch", "organizationUsage": "deny"},
			"partner-sync": map[string]any{"clientId": "cid-partner", "organizationUsage": "require", "organizations": []string{"acme"}},
			"any-org":      map[string]any{"clientId": "cid-any", "organizationUsage": "allow", "allowAnyOrganization": true},
		},
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// -org with an M2M client: a name is resolved to its ID with the stack
// outputs before any request, an ID passes through, a name without them is
// sent as given; the token must be for the organization asked for.
func TestClientOrganizationFlag(t *testing.T) {
	acme, globex := fakeOrgs["acme"], fakeOrgs["globex"]
	cases := []struct {
		name    string
		tenant  fakeTenant
		outputs bool // -stack-outputs and -client; else flags only
		client  string
		org     string
		sent    []string // organization parameters the tenant got; nil: no request
		wantOrg string   // org_id of the printed token
		wantErr []string
		notWant string // not in the error
		secret  string // the client secret, if not the right one
	}{
		{name: "a name is resolved to its ID", outputs: true, client: "any-org", org: "acme", sent: []string{acme}, wantOrg: acme},
		{name: "an ID of the stack", outputs: true, client: "any-org", org: globex, sent: []string{globex}, wantOrg: globex},
		{name: "an ID the stack does not list passes through", outputs: true, client: "any-org", org: "org_0ther0rg0000001",
			sent: []string{"org_0ther0rg0000001"}, wantOrg: "org_0ther0rg0000001"},
		{name: "no organization", outputs: true, client: "any-org", sent: []string{""}},
		{name: "an unknown name, before any request", outputs: true, client: "any-org", org: "initech",
			wantErr: []string{`-org "initech": no such organization in the stack outputs (it has: acme, globex)`}},
		{name: "not a name or an ID", outputs: true, client: "any-org", org: "acme&audience=x",
			wantErr: []string{`-org "acme&audience=x": want an organization name or ID (org_...): letters, digits, _ and -`}},
		{name: "a client not linked to it", outputs: true, client: "partner-sync", org: "globex",
			wantErr: []string{"client \"partner-sync\" is linked to these organizations: acme"}},
		{name: "a client whose grant denies organizations", outputs: true, client: "batch-scorer", org: "acme",
			wantErr: []string{"organizationUsage deny"}},
		{name: "a token for another organization", tenant: fakeTenant{answerOrg: globex}, outputs: true, client: "any-org", org: "acme",
			sent: []string{acme}, wantErr: []string{"the token is not for the organization asked for: asked for acme (" + acme + "), got " + globex}},
		{name: "flags only: an ID", client: "cid-any", org: acme, sent: []string{acme}, wantOrg: acme},
		{name: "flags only: a name, on a tenant that allows names", tenant: fakeTenant{namesAllowed: true}, client: "cid-any", org: "acme",
			sent: []string{"acme"}, wantOrg: acme},
		{name: "flags only: a name, on a tenant that takes IDs only", client: "cid-any", org: "acme", sent: []string{"acme"},
			wantErr: []string{"parameter organization must be an organization id",
				"-org acme is sent as given: give -stack-outputs to resolve the name to its ID, give the ID (org_...), or allow organization names in the tenant"}},
		{name: "flags only: a name, refused for another reason", client: "cid-any", org: "acme", secret: "wrong", sent: []string{"acme"},
			wantErr: []string{"access_denied"}, notWant: "is sent as given"},
		{name: "flags only: a name the token does not carry", tenant: fakeTenant{namesAllowed: true, noOrgName: true}, client: "cid-any", org: "acme",
			sent: []string{"acme"}, wantErr: []string{"the token is not for the organization asked for: asked for acme, got " + acme}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := startFakeAuth0(t, c.tenant)
			srv := f.srv
			args := []string{"-client-id", c.client, "-audience", f.iss.Audience, "-token-url", srv.URL}
			if c.outputs {
				args = []string{"-stack-outputs", orgOutputs(t, f.iss, srv.URL), "-client", c.client}
			}
			if c.org != "" {
				args = append(args, "-org", c.org)
			}
			out, stderr, err := runToken(t, map[string]string{"AUTH0_CLIENT_SECRET": cmp.Or(c.secret, secret)}, "", args...)
			assert.Equal(t, c.sent, f.sent, "the organization parameters sent")
			if c.wantErr != nil {
				require.Error(t, err)
				for _, w := range c.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				if c.notWant != "" {
					assert.NotContains(t, err.Error(), c.notWant)
				}
				assert.Empty(t, out, "no token printed")
				return
			}
			require.NoError(t, err, stderr)
			claims := jwt.MapClaims{}
			_, _, err = jwt.NewParser().ParseUnverified(strings.TrimSpace(out), claims)
			require.NoError(t, err)
			if c.wantOrg == "" {
				assert.NotContains(t, claims, "org_id")
			} else {
				assert.Equal(t, c.wantOrg, claims["org_id"])
			}
		})
	}
}

// A token for another organization never reaches the API.
func TestCallChecksTheOrganizationFirst(t *testing.T) {
	f := startFakeAuth0(t, fakeTenant{answerOrg: fakeOrgs["globex"]})
	srv := f.srv
	var calls int
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer api.Close()
	_, _, err := runToken(t, map[string]string{"AUTH0_CLIENT_SECRET": secret}, "",
		"-stack-outputs", orgOutputs(t, f.iss, srv.URL), "-client", "any-org", "-org", "acme", "-call", api.URL)
	require.ErrorIs(t, err, ErrOrganizationMismatch)
	assert.Zero(t, calls)
	assert.Equal(t, []string{fakeOrgs["acme"]}, f.sent)
}

// A refreshed token must be for the login's organization too: one for
// another is neither printed nor saved.
func TestRefreshChecksTheOrganization(t *testing.T) {
	acme, globex := fakeOrgs["acme"], fakeOrgs["globex"]
	cases := []struct {
		name    string
		claims  map[string]any // of the refreshed access token
		wantErr string
	}{
		{name: "the same organization", claims: map[string]any{"org_id": acme}},
		{name: "another organization", claims: map[string]any{"org_id": globex},
			wantErr: "the token is not for the organization asked for: asked for acme (" + acme + "), got " + globex},
		{name: "no organization", claims: map[string]any{}, wantErr: "got a token without an organization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss := testissuer.New(t)
			refreshed := iss.Token(c.claims)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"access_token": refreshed, "refresh_token": "refresh-2", "token_type": "Bearer", "expires_in": 3600})
			}))
			defer srv.Close()
			storeFn := tempStore(t)
			store, _ := storeFn()
			stale := &tokenstore.Login{Issuer: srv.URL + "/", Audience: iss.Audience, Organization: acme, OrganizationName: "acme",
				ClientID: "cli-id", TokenURL: srv.URL + "/oauth/token",
				Token: &oauth2.Token{AccessToken: "expired", RefreshToken: "refresh-1", Expiry: time.Now().Add(-time.Minute)}}
			require.NoError(t, store.Save(stale))

			var stdout, stderr syncbuf.Buffer
			cmd := &command{env: env(nil), stdout: &stdout, stderr: &stderr, store: storeFn}
			err := cmd.run(t.Context(), []string{"-org", "acme"})
			saved, lerr := store.Load(stale.Key())
			require.NoError(t, lerr)
			if c.wantErr != "" {
				require.ErrorIs(t, err, ErrOrganizationMismatch)
				assert.ErrorIs(t, err, errLoginAgain)
				assert.Contains(t, err.Error(), c.wantErr)
				assert.Empty(t, stdout.String())
				assert.Equal(t, "refresh-1", saved.Token.RefreshToken, "not saved")
				return
			}
			require.NoError(t, err, stderr.String())
			assert.Equal(t, refreshed+"\n", stdout.String())
			assert.Equal(t, "refresh-2", saved.Token.RefreshToken)
		})
	}
}
