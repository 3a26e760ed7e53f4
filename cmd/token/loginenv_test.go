package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy/proxytest"
)

// loginEnv is a dev tenant, its outputs file, a gateway trusting it and a
// login store: what a person's command line sees.
type loginEnv struct {
	t       *testing.T
	tn      *devtenant.Tenant
	outputs string
	gateway string
	store   func() (*tokenstore.Store, error)
}

// newLoginEnv serves the dev stack, taking organization IDs only as Auth0
// does by default; offline enables refresh tokens.
func newLoginEnv(t *testing.T, offline bool) *loginEnv {
	return newLoginEnvWith(t, offline, devtenant.Options{OrganizationIDsOnly: true})
}

// newLoginEnvWith serves the dev stack with opts.
func newLoginEnvWith(t *testing.T, offline bool, opts devtenant.Options) *loginEnv {
	cfg := devtenanttest.Stack(t, "dev")
	cfg.API.AllowOfflineAccess = offline
	tn := devtenanttest.Start(t, cfg, opts)
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	require.NoError(t, tn.WriteOutputs(outputs))
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"caller": r.Header.Get(proxy.HeaderSubject), "org": r.Header.Get(proxy.HeaderOrgID)})
	}))
	t.Cleanup(echo.Close)
	upstream, _ := url.Parse(echo.URL)
	h, err := proxy.New(devtenanttest.Validator(t, tn), proxy.Config{Upstream: upstream, Routes: proxy.DefaultRoutes(), Logger: proxytest.Quiet})
	require.NoError(t, err)
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)
	return &loginEnv{t: t, tn: tn, outputs: outputs, gateway: gw.URL, store: tempStore(t)}
}

// browser plays the person at the browser: it follows the authorization
// URL through the tenant's login form with a cookie jar, as a browser
// would, then delivers the tenant's redirect to the command's loopback
// callback. The page the command answers is kept.
// A browser without a tenant opens the page and is never used.
type browser struct {
	tn         *devtenant.Tenant
	email      string
	opened     []string
	pageStatus int
	page       string
	wg         sync.WaitGroup
}

func (b *browser) open(authURL string) error {
	b.opened = append(b.opened, authURL)
	if b.tn == nil {
		return nil
	}
	b.wg.Go(func() { // a browser does not block the command that opened it
		callback, err := devtenant.Login(context.Background(), nil, authURL, devtenant.Credentials{Email: b.email, Password: b.tn.Password()})
		if err != nil {
			b.page = err.Error()
			return
		}
		resp, err := http.Get(callback.String())
		if err != nil {
			b.page = err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		b.pageStatus, b.page = resp.StatusCode, string(body)
	})
	return nil
}

// run runs the command with its own output buffers.
func (e *loginEnv) run(b *browser, args ...string) (stdout, stderr string, err error) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	c := &command{env: env(nil), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, store: e.store,
		browse: func(u string) error { e.t.Errorf("the browser was opened at %s", u); return nil }}
	if b != nil {
		c.browse = b.open
	}
	err = c.run(context.Background(), args)
	if b != nil {
		b.wg.Wait() // the page it shows
	}
	return out.String(), errOut.String(), err
}

// storedLogin is the login for the organization of that name ("" for
// none), stored under the organization's ID.
func (e *loginEnv) storedLogin(org string) *tokenstore.Login {
	e.t.Helper()
	store, _ := e.store()
	l, err := store.Load(e.key(org))
	require.NoError(e.t, err)
	return l
}

// key is the key of the login for the organization of that name.
func (e *loginEnv) key(org string) tokenstore.Key {
	return tokenstore.Key{Issuer: e.tn.Issuer(), Audience: e.tn.Audience(), Organization: e.tn.OrgID(org)}
}

// expire makes the stored access token of a login look expired, as time
// passing would.
func expire(t *testing.T, e *loginEnv, org string) {
	t.Helper()
	store, _ := e.store()
	l := e.storedLogin(org)
	l.Token.Expiry = time.Now().Add(-time.Minute)
	require.NoError(t, store.Save(l))
}

func subject(t *testing.T, e *loginEnv, token string) string {
	t.Helper()
	id, err := devtenanttest.Validator(t, e.tn).Validate(context.Background(), token)
	require.NoError(t, err)
	return id.Subject
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Query()
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, want, fi.Mode().Perm(), path)
}
