package devtenant

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/oauth2"
)

// Credentials are what a person types into the tenant's login pages.
type Credentials struct {
	Email, Password string
	// Organization is picked (by name or ID) if the tenant asks a member of
	// several organizations to choose one.
	Organization string
}

// LoginError is a login that ended on one of the tenant's pages instead of
// going back to the application: wrong password, unknown client, ...
type LoginError struct {
	Status  int
	Message string // the page's error, as a person would read it
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("login refused (%d): %s", e.Status, e.Message)
}

// Login goes through the tenant's login pages as a browser would: it opens
// authorizeURL, fills in and submits the login form (and the organization
// picker, if shown), following redirects with hc's cookie jar, and returns
// the first URL outside the tenant it is sent to: the application's
// callback with code and state, or error and error_description. hc nil
// means a new client with its own cookie jar; pass one to keep the tenant's
// session between logins, as a browser does.
func Login(ctx context.Context, hc *http.Client, authorizeURL string, cred Credentials) (*url.URL, error) {
	start, err := url.Parse(authorizeURL)
	if err != nil {
		return nil, err
	}
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil)
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != start.Host {
			return http.ErrUseLastResponse // back to the application: its callback need not be served
		}
		if len(via) >= 10 {
			return errors.New("devtenant: too many redirects")
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, err
	}
	submitted := map[string]bool{}
	for range 5 {
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if loc, err := resp.Location(); err == nil && resp.StatusCode/100 == 3 {
			return loc, nil
		}
		page := parsePage(body)
		if page.action == "" {
			return nil, &LoginError{resp.StatusCode, cmp.Or(page.errorText, strings.TrimSpace(string(body)))}
		}
		values := url.Values{}
		for name, value := range page.hidden {
			values.Set(name, value)
		}
		switch {
		case page.has[FieldPassword]:
			if submitted[FieldPassword] {
				return nil, &LoginError{resp.StatusCode, page.errorText}
			}
			values.Set(FieldEmail, cred.Email)
			values.Set(FieldPassword, cred.Password)
			submitted[FieldPassword] = true
		case len(page.orgs) > 0:
			if submitted[FieldOrganization] {
				return nil, &LoginError{resp.StatusCode, page.errorText}
			}
			id := page.orgs[cred.Organization] // by name
			if id == "" {
				for _, v := range page.orgs {
					if v == cred.Organization {
						id = v
					}
				}
			}
			if id == "" {
				return nil, &LoginError{resp.StatusCode, fmt.Sprintf("the tenant asks to pick an organization; Credentials.Organization %q is not one of the user's", cred.Organization)}
			}
			values.Set(FieldOrganization, id)
			submitted[FieldOrganization] = true
		default:
			return nil, &LoginError{resp.StatusCode, "unexpected form at " + resp.Request.URL.Path}
		}
		action, err := resp.Request.URL.Parse(page.action)
		if err != nil {
			return nil, err
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(values.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return nil, errors.New("devtenant: the login did not finish in 5 pages")
}

// page is what Login reads of one of the tenant's pages.
type page struct {
	action    string
	hidden    map[string]string
	has       map[string]bool   // input names
	orgs      map[string]string // organization radio buttons: name -> ID
	errorText string
}

func parsePage(body []byte) page {
	p := page{hidden: map[string]string{}, has: map[string]bool{}, orgs: map[string]string{}}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return p
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && p.action == "":
				p.action = attr(n, "action")
			case n.Data == "input":
				name := attr(n, "name")
				p.has[name] = true
				switch attr(n, "type") {
				case "hidden":
					p.hidden[name] = attr(n, "value")
				case "radio":
					p.orgs[attr(n, "data-name")] = attr(n, "value")
				}
			case attr(n, "id") == "error":
				p.errorText = strings.TrimSpace(text(n))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

// UserLogin says who logs in, through which client, for what.
type UserLogin struct {
	// Client is the web app's name (the default) or the native client's.
	Client string
	Email  string
	// Password defaults to the test users' password.
	Password string
	// Organization is sent as Auth0's organization parameter (a name or an
	// ID) and picked if the tenant asks.
	Organization string
	// Scopes default to openid profile email and every scope of the API.
	Scopes []string
	// Audience defaults to the API identifier.
	Audience string
	// HTTPClient keeps the tenant's session cookie between logins; nil: a new one.
	HTTPClient *http.Client
}

// Tokens logs a test user in with the authorization code flow and PKCE, as
// an application would, and returns the tokens (the ID token is
// Extra("id_token")). A login the tenant refuses is a *LoginError, or an
// error naming the OAuth error it sent back to the application.
func (t *Tenant) Tokens(ctx context.Context, l UserLogin) (*oauth2.Token, error) {
	c := t.dir.clientByName(cmp.Or(l.Client, t.dir.web.Name))
	if c == nil || c.Kind == machine || len(c.Callbacks) == 0 {
		return nil, fmt.Errorf("devtenant: %q is not an interactive client of the tenant (%s or %s)", l.Client, t.dir.web.Name, t.dir.native.Name)
	}
	cfg := oauth2.Config{
		ClientID: c.ID, ClientSecret: c.Secret, RedirectURL: strings.Replace(c.Callbacks[0], ":*/", ":1/", 1),
		Endpoint: oauth2.Endpoint{AuthURL: t.AuthorizeURL(), TokenURL: t.TokenURL(), AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   l.Scopes,
	}
	if cfg.Scopes == nil {
		cfg.Scopes = append([]string{"openid", "profile", "email"}, t.apiScopes()...)
	}
	verifier, state, nonce := oauth2.GenerateVerifier(), rand.Text(), rand.Text()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce),
		oauth2.SetAuthURLParam("audience", cmp.Or(l.Audience, t.Audience()))}
	if l.Organization != "" {
		opts = append(opts, oauth2.SetAuthURLParam("organization", l.Organization))
	}
	callback, err := Login(ctx, l.HTTPClient, cfg.AuthCodeURL(state, opts...),
		Credentials{Email: l.Email, Password: cmp.Or(l.Password, t.password), Organization: l.Organization})
	if err != nil {
		return nil, err
	}
	q := callback.Query()
	switch {
	case q.Get("state") != state:
		return nil, fmt.Errorf("devtenant: the callback's state differs from the request's")
	case q.Get("error") != "":
		return nil, fmt.Errorf("devtenant: the login ended in %s: %s", q.Get("error"), q.Get("error_description"))
	}
	return cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
}
