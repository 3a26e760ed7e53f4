package main

import (
	"context"
	"fmt"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// A person logs in with the browser, the tokens are stored privately, and
// later commands print the person's token and call the gateway as the
// person, refreshing the token when it expires.
func TestLoginCallRefreshLogout(t *testing.T) {
	e := newLoginEnv(t, true)
	alice := &browser{tn: e.tn, email: "alice@acme.example.com"}
	stdout, stderr, err := e.run(alice, "login", "-stack-outputs", e.outputs, "-org", "acme")
	require.NoError(t, err, stderr)
	assert.Empty(t, stdout, "login prints no token")
	assert.Contains(t, stderr, "Logged in as alice@acme.example.com in organization acme ("+e.tn.OrgID("acme")+") to "+e.tn.Issuer())
	assert.Equal(t, http.StatusOK, alice.pageStatus)
	assert.Contains(t, alice.page, "You are logged in. You can close this tab")

	// The authorization request is the one Auth0 expects of a native app.
	require.Len(t, alice.opened, 1)
	q := mustQuery(t, alice.opened[0])
	assert.Equal(t, e.tn.ClientID(e.tn.NativeName()), q.Get("client_id"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Equal(t, e.tn.Audience(), q.Get("audience"))
	assert.Equal(t, e.tn.OrgID("acme"), q.Get("organization"), "the name resolved to its ID by the stack outputs")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/callback$`, q.Get("redirect_uri"))
	assert.Contains(t, stderr, alice.opened[0], "the URL is printed too, in case the browser did not open")

	// Stored with private permissions, and never shown.
	store, _ := e.store()
	path := store.Path(e.key("acme"))
	assertMode(t, path, 0o600)
	assertMode(t, store.Dir, 0o700)
	first := e.storedLogin("acme")
	require.NotEmpty(t, first.Token.RefreshToken)
	assert.NotContains(t, stderr, first.Token.AccessToken)
	assert.NotContains(t, stderr, first.Token.RefreshToken)

	// `token` alone prints the person's access token; it is alice's, for acme.
	stdout, _, err = e.run(nil)
	require.NoError(t, err)
	assert.Equal(t, first.Token.AccessToken+"\n", stdout)
	id, err := devtenanttest.Validator(t, e.tn).Validate(context.Background(), strings.TrimSpace(stdout))
	require.NoError(t, err)
	assert.Equal(t, e.tn.UserID("alice@acme.example.com"), id.Subject)
	assert.Equal(t, e.tn.OrgID("acme"), id.OrgID)

	// `token -call` calls as alice, through the proxy.
	stdout, stderr, err = e.run(nil, "-call", e.gateway+"/v1/models")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, `"caller":"`+e.tn.UserID("alice@acme.example.com")+`"`)

	// Once the access token has expired, the next command refreshes it and
	// saves the rotated refresh token; the old one is dead.
	expire(t, e, "acme")
	stdout, stderr, err = e.run(nil, "-call", e.gateway+"/api/messages/admin")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, proxy.AdminMessage)
	second := e.storedLogin("acme")
	assert.NotEqual(t, first.Token.RefreshToken, second.Token.RefreshToken, "the rotated refresh token is saved")
	assert.True(t, second.Token.Valid())
	assertMode(t, path, 0o600)

	// Logging out forgets the login.
	_, stderr, err = e.run(nil, "logout")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "Logged out of tenant "+e.tn.Issuer())
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, _, err = e.run(nil, "-call", e.gateway+"/v1/models")
	assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn)
}

// Two commands that find the token expired at once refresh it once: the
// second waits for the first and uses its token. Without the lock, the
// second would present the refresh token the first just rotated, and the
// tenant would revoke the login as stolen.
func TestConcurrentRefreshKeepsTheLogin(t *testing.T) {
	e := newLoginEnv(t, true)
	_, stderr, err := e.run(&browser{tn: e.tn, email: "bob@globex.example.com"}, "login", "-stack-outputs", e.outputs)
	require.NoError(t, err, stderr)
	for round := range 3 {
		expire(t, e, "globex") // bob's only organization, which the tenant picked: the login is keyed by it
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				_, stderr, err := e.run(nil, "-call", e.gateway+"/v1/models")
				if err != nil {
					errs[i] = fmt.Errorf("%w: %s", err, stderr)
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "round %d, command %d", round, i)
		}
	}
}

func TestLoginWithoutRefreshTokenExpires(t *testing.T) {
	e := newLoginEnv(t, false) // the dev stack as it is: no offline access
	_, stderr, err := e.run(&browser{tn: e.tn, email: "alice@acme.example.com"}, "login", "-stack-outputs", e.outputs, "-org", "acme")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "no refresh token (the API does not allow offline access)")
	expire(t, e, "acme")
	_, _, err = e.run(nil, "-org", "acme")
	require.ErrorIs(t, err, errLoginAgain)
	assert.Contains(t, err.Error(), "token login -issuer "+e.tn.Issuer())
}

// A refresh token the tenant no longer honours ends the login: the
// command says to log in again and drops the dead tokens.
func TestRevokedRefreshTokenAsksToLogInAgain(t *testing.T) {
	e := newLoginEnv(t, true)
	_, stderr, err := e.run(&browser{tn: e.tn, email: "alice@acme.example.com"}, "login", "-stack-outputs", e.outputs, "-org", "acme")
	require.NoError(t, err, stderr)
	stolen := e.storedLogin("acme").Token.RefreshToken
	expire(t, e, "acme")
	_, _, err = e.run(nil)
	require.NoError(t, err)
	// Someone replays the old refresh token: the tenant revokes the family.
	resp, err := http.PostForm(e.tn.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {e.tn.ClientID(e.tn.NativeName())}, "refresh_token": {stolen}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	expire(t, e, "acme")
	_, _, err = e.run(nil)
	require.ErrorIs(t, err, errLoginAgain)
	assert.Contains(t, err.Error(), "the tenant refused to refresh the login")
	_, _, err = e.run(nil)
	assert.ErrorIs(t, err, tokenstore.ErrNotLoggedIn, "the dead login is forgotten")
}

func TestLoginRefusedByTheTenant(t *testing.T) {
	e := newLoginEnv(t, true)
	bob := &browser{tn: e.tn, email: "bob@globex.example.com"} // not a member of acme, which does not assign membership
	_, _, err := e.run(bob, "login", "-stack-outputs", e.outputs, "-org", "acme")
	require.ErrorIs(t, err, ErrLoginRefused)
	assert.Contains(t, err.Error(), "access_denied: user "+e.tn.UserID("bob@globex.example.com")+" is not a member of the organization acme")
	assert.Contains(t, bob.page, "Login failed")
	store, _ := e.store()
	logins, err := store.List()
	require.NoError(t, err)
	assert.Empty(t, logins)
}

// With -no-browser the URL is printed, and the person opens it themselves.
func TestLoginNoBrowser(t *testing.T) {
	e := newLoginEnv(t, true)
	var stderr syncbuf.Buffer
	c := &command{env: env(nil), stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, store: e.store,
		browse: func(u string) error { t.Errorf("the browser was opened at %s", u); return nil }}
	done := make(chan error, 1)
	go func() {
		done <- c.run(context.Background(), []string{"login", "-no-browser", "-stack-outputs", e.outputs, "-org", "acme"})
	}()
	var authURL string
	require.Eventually(t, func() bool {
		for _, f := range strings.Fields(stderr.String()) {
			if strings.HasPrefix(f, e.tn.AuthorizeURL()+"?") {
				authURL = f
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "the URL was not printed")
	assert.Contains(t, stderr.String(), "Open this URL in a browser on this machine")
	person := &browser{tn: e.tn, email: "alice@acme.example.com"}
	person.open(authURL)
	require.NoError(t, <-done)
	person.wg.Wait()
	assert.Equal(t, e.tn.UserID("alice@acme.example.com"), subject(t, e, e.storedLogin("acme").Token.AccessToken))
}

func TestLoginTimesOut(t *testing.T) {
	e := newLoginEnv(t, true)
	_, _, err := e.run(&browser{}, "login", "-stack-outputs", e.outputs, "-timeout", "200ms")
	require.ErrorIs(t, err, ErrLoginTimeout)
	assert.Contains(t, err.Error(), "did not return to http://127.0.0.1:")
}

func TestLoginConfigErrors(t *testing.T) {
	e := newLoginEnv(t, true)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"login"}, []string{"no native (CLI) client", "no tenant", "no audience"}},
		{[]string{"login", "-issuer", "http://tenant.example.com", "-audience", "a", "-client-id", "c"}, []string{"http would send codes and tokens in the clear"}},
		{[]string{"login", "-stack-outputs", e.outputs, "-org", "acme/../x", "-timeout", "0s", "-port", "70000"},
			[]string{`-org "acme/../x": want an organization name or ID`, "-timeout 0s: want a positive duration", "-port 70000"}},
		{[]string{"login", "-stack-outputs", e.outputs, "-org", "initech"}, []string{`-org "initech": no such organization in the stack outputs (it has: acme, globex)`}},
		{[]string{"login", "extra"}, []string{`unexpected argument "extra"`}},
	}
	for _, c := range cases {
		_, _, err := e.run(nil, c.args...)
		require.Error(t, err, c.args)
		for _, w := range c.want {
			assert.Contains(t, err.Error(), w, c.args)
		}
	}
}

// Logins to several organizations are kept apart; a command that does not
// say which is refused with the list.
func TestSeveralLoginsNeedAChoice(t *testing.T) {
	e := newLoginEnv(t, true)
	for _, org := range []string{"acme", "globex"} {
		_, stderr, err := e.run(&browser{tn: e.tn, email: "alice@acme.example.com"}, "login", "-stack-outputs", e.outputs, "-org", org)
		require.NoError(t, err, stderr)
	}
	_, _, err := e.run(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2 logins match; pick one")
	assert.Contains(t, err.Error(), "organization acme")
	assert.Contains(t, err.Error(), "organization globex")

	stdout, _, err := e.run(nil, "-org", "globex")
	require.NoError(t, err)
	assert.Equal(t, e.storedLogin("globex").Token.AccessToken+"\n", stdout)

	_, stderr, err := e.run(nil, "logout", "-all")
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(stderr, "Logged out of"))
}
