package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/dpop"
	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
)

// DefaultLoginTimeout is how long `token login` waits for the browser.
const DefaultLoginTimeout = 5 * time.Minute

// personScopes are requested at every login: who the person is, and a
// refresh token if the API allows offline access. What the person may do
// with the API comes from their roles, in the token's permissions.
var personScopes = []string{"openid", "profile", "email", "offline_access"}

// login logs a person in with the authorization code flow and PKCE in the
// browser, the code coming back on a loopback redirect (RFC 8252), and
// stores the tokens.
func (c *command) login(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token login", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	tf := c.addTenantFlags(fs)
	clientID := fs.String("client-id", c.getenv("AUTH0_CLI_CLIENT_ID"), "the native (CLI) application's client ID (env AUTH0_CLI_CLIENT_ID; default: the stack outputs' cliApp)")
	noBrowser := fs.Bool("no-browser", false, "print the login URL instead of opening the browser")
	port := fs.Int("port", 0, "loopback port of the redirect http://127.0.0.1:PORT/callback (0: any free port; set one if the application lists a fixed port)")
	timeout := fs.Duration("timeout", DefaultLoginTimeout, "how long to wait for the browser")
	scopes := fs.String("scope", "", "space-separated scopes to request besides "+strings.Join(personScopes, " "))
	useDPoP := fs.Bool("dpop", c.getenv("TOKEN_DPOP") == "1", dpopUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *useDPoP {
		if _, err := c.dpopKey(); err != nil { // the exchange sends a proof of it (withProofs)
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("login: unexpected argument %q", fs.Arg(0))
	}
	t, problems := tf.resolve(c.getenv)
	if t == nil {
		return errors.New(strings.Join(problems, "\n"))
	}
	if *clientID == "" && t.outputs != nil {
		*clientID, _ = t.outputs.CLIClientID()
	}
	if *clientID == "" {
		problems = append(problems, "no native (CLI) client: give -client-id / AUTH0_CLI_CLIENT_ID, or -stack-outputs with a cliApp (model-api-auth0:cliApp in the stack)")
	}
	if t.issuer == "" {
		problems = append(problems, "no tenant: give -stack-outputs, -issuer / AUTH0_ISSUER or AUTH0_DOMAIN")
	}
	if t.audience == "" {
		problems = append(problems, "no audience: give -audience / AUTH0_AUDIENCE or -stack-outputs")
	}
	if *timeout <= 0 {
		problems = append(problems, fmt.Sprintf("-timeout %s: want a positive duration, such as 5m", *timeout))
	}
	if *port < 0 || *port > 65535 {
		problems = append(problems, fmt.Sprintf("-port %d: want 0 (any free port) to 65535", *port))
	}
	store, err := c.store()
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}

	cfg := oauth2.Config{
		ClientID: *clientID,
		Endpoint: oauth2.Endpoint{AuthURL: t.issuer + "authorize", TokenURL: t.tokenURL, AuthStyle: oauth2.AuthStyleInParams}, // a public client: no secret
		Scopes:   append(append([]string{}, personScopes...), strings.Fields(*scopes)...),
	}
	tok, err := c.authorize(ctx, &cfg, t, *port, *timeout, *noBrowser)
	if r := (*refusal)(nil); errors.As(err, &r) {
		return fmt.Errorf("%w%s", err, t.org.refusalHint(r.code))
	}
	if err != nil {
		return err
	}
	if err := t.org.check(tok.AccessToken); err != nil {
		return err
	}
	// Stored under the organization the tenant issued the token for (the
	// one asked for, or the one the person picked), by its ID.
	orgID, orgName, _ := tokenOrganization(tok.AccessToken)
	org := organization{id: orgID, name: cmp.Or(t.org.name, nameOf(t.outputs, orgID), orgName)}
	l := &tokenstore.Login{Issuer: t.issuer, Audience: t.audience, Organization: org.id, OrganizationName: org.name,
		ClientID: cfg.ClientID, TokenURL: cfg.Endpoint.TokenURL, Token: tok}
	l.Who = c.whoAmI(ctx, t.issuer, tok)
	if _, err := listLogins(store); err != nil { // moves an earlier version's login to this one's key first: this one replaces it
		return err
	}
	if err := store.Save(l); err != nil {
		return err
	}
	who := cmp.Or(l.Who, "you")
	if org.id != "" {
		who += " in organization " + org.String()
	}
	refresh := "it is refreshed automatically"
	if tok.RefreshToken == "" {
		refresh = "no refresh token (the API does not allow offline access): log in again after " + tok.Expiry.Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(c.stderr, "Logged in as %s to %s for %s; %s.\nSaved in %s. `token -call URL` calls as you; `token logout` forgets it.\n",
		who, t.issuer, t.audience, refresh, store.Path(l.Key()))
	return nil
}

// authorize runs the browser part: the authorization URL with PKCE, state
// and Auth0's audience and organization, the loopback callback, and the
// exchange of the code with the verifier.
func (c *command) authorize(ctx context.Context, cfg *oauth2.Config, t *tenant, port int, timeout time.Duration, noBrowser bool) (*oauth2.Token, error) {
	state := rand.Text()
	cb, err := listenCallback(port, state, func(msg string) { fmt.Fprintln(c.stderr, "token login:", msg) })
	if err != nil {
		return nil, err
	}
	cfg.RedirectURL = cb.redirectURL()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("audience", t.audience)}
	if t.org.asked != "" {
		opts = append(opts, oauth2.SetAuthURLParam("organization", t.org.param()))
	}
	authURL := cfg.AuthCodeURL(state, opts...)
	opened := false
	if !noBrowser {
		if err := c.browse(authURL); err == nil {
			opened = true
		} else {
			fmt.Fprintf(c.stderr, "Could not open a browser (%v).\n", err)
		}
	}
	if opened {
		fmt.Fprintf(c.stderr, "Opened the login page in your browser. If it did not open, visit:\n\n    %s\n\n", authURL)
	} else {
		fmt.Fprintf(c.stderr, "Open this URL in a browser on this machine to log in:\n\n    %s\n\n", authURL)
	}
	fmt.Fprintf(c.stderr, "Waiting up to %s for the login to come back to %s ...\n", timeout, cb.redirectURL())
	code, err := cb.wait(ctx, timeout)
	if err != nil {
		return nil, err
	}
	xctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	tok, err := cfg.Exchange(withProofs(xctx, c.key), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchanging the login's code at %s: %w", cfg.Endpoint.TokenURL, err)
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("the tenant answered the login without an access token")
	}
	return tok, nil
}

// whoAmI asks the tenant's /userinfo who logged in, for the messages:
// the tenant's word, not claims read from an unverified token. "" if it
// does not say. A DPoP-bound token goes with a proof of the key (Auth0's
// /userinfo takes them), signed by the same transport as API calls.
func (c *command) whoAmI(ctx context.Context, issuer string, tok *oauth2.Token) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"userinfo", nil)
	if err != nil {
		return ""
	}
	tok.SetAuthHeader(req)
	hc := http.DefaultClient
	if c.key != nil && strings.EqualFold(tok.Type(), "DPoP") {
		hc = &http.Client{Timeout: requestTimeout, Transport: &dpop.Transport{Key: c.key}}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var info struct {
		Email, Name, Sub string
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&info) != nil {
		return ""
	}
	return printable(cmp.Or(info.Email, cmp.Or(info.Name, info.Sub)), 200)
}
