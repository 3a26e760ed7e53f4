// Command token gets an access token for one of the stack's M2M clients with
// the OAuth 2.0 client-credentials grant, and can call the gateway with it.
//
//	export AUTH0_CLIENT_SECRET=...        # or pipe it in with -secret-stdin
//	token -stack-outputs outputs.json -client batch-scorer
//	token -stack-outputs outputs.json -client batch-scorer -call http://localhost:8080/v1/models
//
// The client secret is read from AUTH0_CLIENT_SECRET or standard input,
// never from a flag: flags end up in shell history and process listings.
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
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/model-api-auth0/model-api-auth0/internal/stackoutputs"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	getenv := func(k string) string { v, _ := env(k); return v }
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outputsFile := fs.String("stack-outputs", getenv("STACK_OUTPUTS"), "file written by `pulumi stack output --json` (env STACK_OUTPUTS)")
	clientName := fs.String("client", "", "client name in the stack outputs (the `clients` export)")
	clientID := fs.String("client-id", getenv("AUTH0_CLIENT_ID"), "client ID, instead of -client (env AUTH0_CLIENT_ID)")
	audience := fs.String("audience", getenv("AUTH0_AUDIENCE"), "API identifier (env AUTH0_AUDIENCE)")
	tokenURL := fs.String("token-url", getenv("AUTH0_TOKEN_URL"), "token endpoint, https://DOMAIN/oauth/token (env AUTH0_TOKEN_URL)")
	scopes := fs.String("scope", "", "space-separated scopes to request (default: all the client's grant allows)")
	secretStdin := fs.Bool("secret-stdin", false, "read the client secret from the first line of standard input")
	callURL := fs.String("call", "", "call this URL with the token and print the response")
	method := fs.String("method", http.MethodGet, "HTTP method for -call")
	data := fs.String("data", "", "request body for -call (sent as JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var problems []string
	if *outputsFile != "" {
		out, err := stackoutputs.Load(*outputsFile)
		if err != nil {
			return err
		}
		*audience = cmpOr(*audience, out.Audience)
		*tokenURL = cmpOr(*tokenURL, out.TokenEndpoint)
		if *clientName != "" {
			id, err := out.ClientID(*clientName)
			if err != nil {
				problems = append(problems, err.Error())
			}
			*clientID = id
		}
	} else if *clientName != "" {
		problems = append(problems, "-client needs -stack-outputs (or give -client-id)")
	}
	secret := getenv("AUTH0_CLIENT_SECRET")
	if *secretStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the secret from standard input: %w", err)
		}
		secret = strings.TrimSpace(line)
	}
	if *clientID == "" {
		problems = append(problems, "no client: give -client NAME with -stack-outputs, or -client-id / AUTH0_CLIENT_ID")
	}
	if secret == "" {
		problems = append(problems, "no client secret: set AUTH0_CLIENT_SECRET or pipe it with -secret-stdin (`pulumi stack output clientSecrets --show-secrets`)")
	}
	if *audience == "" {
		problems = append(problems, "no audience: give -audience / AUTH0_AUDIENCE or -stack-outputs")
	}
	if u, err := url.Parse(*tokenURL); *tokenURL == "" || err != nil || u.Host == "" {
		problems = append(problems, "no token endpoint: give -token-url / AUTH0_TOKEN_URL or -stack-outputs")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}

	cc := clientcredentials.Config{
		ClientID:     *clientID,
		ClientSecret: secret,
		TokenURL:     *tokenURL,
		// Auth0 takes the API to issue a token for as `audience`; the stack's
		// clients authenticate with client_secret_post.
		EndpointParams: url.Values{"audience": {*audience}},
		AuthStyle:      oauth2.AuthStyleInParams,
		Scopes:         strings.Fields(*scopes),
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if *callURL == "" {
		tok, err := cc.Token(ctx)
		if err != nil {
			return fmt.Errorf("getting a token from %s: %w", *tokenURL, err)
		}
		fmt.Fprintln(stdout, tok.AccessToken)
		return nil
	}
	var body io.Reader
	if *data != "" {
		body = strings.NewReader(*data)
	}
	req, err := http.NewRequestWithContext(ctx, *method, *callURL, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cc.Client(ctx).Do(req)
	if err != nil {
		return fmt.Errorf("calling %s: %w", *callURL, err)
	}
	defer resp.Body.Close()
	fmt.Fprintf(stderr, "%s %s: %s\n", *method, *callURL, resp.Status)
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", *callURL, resp.Status)
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
