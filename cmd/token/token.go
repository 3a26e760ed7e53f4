package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// requestTimeout bounds getting a token and a -call.
const requestTimeout = 30 * time.Second

// token prints an access token, or calls -call with it: an M2M client's
// when a client is named, else the logged-in person's.
func (c *command) token(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(c.stderr, "usage: token [flags]          an access token: an M2M client's (-client, -client-id or AUTH0_CLIENT_ID), else the logged-in person's\n"+
			"       token login [flags]    log a person in with the browser\n"+
			"       token logout [flags]   forget a person's login\n\nflags:\n")
		fs.PrintDefaults()
	}
	tf := c.addTenantFlags(fs)
	clientName := fs.String("client", "", "M2M client `name` in the stack outputs (the clients export)")
	clientID := fs.String("client-id", c.getenv("AUTH0_CLIENT_ID"), "M2M client ID, instead of -client (env AUTH0_CLIENT_ID)")
	scopes := fs.String("scope", "", "space-separated scopes to request (M2M; default: all the client's grant allows)")
	secretStdin := fs.Bool("secret-stdin", false, "read the M2M client secret from the first line of standard input")
	callURL := fs.String("call", "", "call this URL with the token and print the response")
	method := fs.String("method", "", "HTTP method for -call (default GET, or POST with -data, as curl's)")
	data := fs.String("data", "", "request body for -call (sent as JSON)")
	useDPoP := fs.Bool("dpop", c.getenv("TOKEN_DPOP") == "1", dpopUsage)
	proofFor := fs.Bool("dpop-proof", false, "print the headers of a DPoP request to the arguments METHOD URL (Authorization and DPoP, for curl -H @-)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *proofFor && fs.NArg() != 2 {
		return errors.New("-dpop-proof needs two arguments: METHOD URL")
	}
	if fs.NArg() > 0 && !*proofFor {
		return fmt.Errorf("unexpected argument %q (commands: login, logout)", fs.Arg(0))
	}
	t, problems := tf.resolve(c.getenv)
	if t == nil {
		return errors.New(strings.Join(problems, "\n"))
	}

	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if *useDPoP {
		key, err := c.dpopKey()
		if err != nil {
			return err
		}
		ctx = withProofs(ctx, key)
	}
	var ts oauth2.TokenSource
	if *clientName != "" || *clientID != "" || *secretStdin {
		cc, err := c.clientCredentials(t, *clientName, *clientID, *scopes, *secretStdin, problems)
		if err != nil {
			return err
		}
		ts = checkedSource{src: cc.TokenSource(ctx), org: t.org}
	} else {
		if *scopes != "" {
			problems = append(problems, "-scope is for M2M clients; a person's scopes are chosen at `token login -scope ...`")
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "\n"))
		}
		tok, err := c.personToken(ctx, t)
		if err != nil {
			return err
		}
		ts = oauth2.StaticTokenSource(tok)
	}
	tok, err := ts.Token() // before any call: a token for another organization never reaches the API
	if err != nil {
		var hint string
		if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) {
			hint = t.org.refusalHint(re.ErrorCode)
		}
		return fmt.Errorf("getting a token from %s: %w%s", t.tokenURL, err, hint)
	}
	if *useDPoP && !strings.EqualFold(tok.Type(), "DPoP") {
		fmt.Fprintf(c.stderr, "token: asked for a DPoP-bound token, got a %s token: the API does not bind tokens (its proofOfPossession)\n", tok.Type())
	}
	if ctx, err = c.boundContext(ctx, tok); err != nil {
		return err
	}
	if *proofFor {
		return c.printProofHeaders(tok, fs.Arg(0), fs.Arg(1))
	}
	if *callURL == "" {
		fmt.Fprintln(c.stdout, tok.AccessToken)
		return nil
	}
	if *method == "" {
		*method = http.MethodGet
		if *data != "" {
			*method = http.MethodPost
		}
	}
	return c.call(ctx, oauth2.NewClient(ctx, oauth2.ReuseTokenSource(tok, ts)), *method, *callURL, *data)
}

// clientCredentials configures the client-credentials grant of an M2M
// client, reporting every problem of the configuration at once.
func (c *command) clientCredentials(t *tenant, name, id, scopes string, secretStdin bool, problems []string) (*clientcredentials.Config, error) {
	if name != "" {
		if t.outputs == nil {
			problems = append(problems, "-client needs -stack-outputs (or give -client-id)")
		} else if cid, err := t.outputs.ClientID(name); err != nil {
			problems = append(problems, err.Error())
		} else {
			id = cid
			if t.org.id != "" && t.org.name != "" { // an organization of the stack: may this client get tokens for it?
				if _, err := t.outputs.ClientOrganization(name, t.org.id); err != nil {
					problems = append(problems, "-org: "+err.Error())
				}
			}
		}
	}
	secret := c.getenv("AUTH0_CLIENT_SECRET")
	if secretStdin {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the secret from standard input: %w", err)
		}
		secret = strings.TrimSpace(line)
	}
	if id == "" {
		problems = append(problems, "no client: give -client NAME with -stack-outputs, or -client-id / AUTH0_CLIENT_ID")
	}
	if secret == "" {
		problems = append(problems, "no client secret: set AUTH0_CLIENT_SECRET or pipe it with -secret-stdin (`pulumi stack output clientSecrets --show-secrets`)")
	}
	if t.audience == "" {
		problems = append(problems, "no audience: give -audience / AUTH0_AUDIENCE or -stack-outputs")
	}
	if t.tokenURL == "" {
		problems = append(problems, "no token endpoint: give -token-url / AUTH0_TOKEN_URL, -issuer or -stack-outputs")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	params := url.Values{"audience": {t.audience}} // Auth0 takes the API to issue a token for as `audience`
	if t.org.asked != "" {
		params.Set("organization", t.org.param())
	}
	return &clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: t.tokenURL, EndpointParams: params,
		AuthStyle: oauth2.AuthStyleInParams, // the stack's clients authenticate with client_secret_post
		Scopes:    strings.Fields(scopes),
	}, nil
}

// call sends one request with the token and copies the response to
// standard output; a status of 400 or more is an error.
func (c *command) call(ctx context.Context, hc *http.Client, method, target, data string) error {
	var body io.Reader
	if data != "" {
		body = strings.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s: %w", target, err)
	}
	defer resp.Body.Close()
	fmt.Fprintf(c.stderr, "%s %s: %s\n", method, target, resp.Status)
	if _, err := io.Copy(c.stdout, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", target, resp.Status)
	}
	return nil
}
