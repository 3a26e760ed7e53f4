package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"

	"github.com/model-api-auth0/model-api-auth0/guard/tenanturl"
)

// logout forgets a person's stored login (or every one, with -all), and
// asks the tenant to revoke its refresh token.
func (c *command) logout(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token logout", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	tf := c.addTenantFlags(fs)
	all := fs.Bool("all", false, "forget every stored login")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("logout: unexpected argument %q", fs.Arg(0))
	}
	t, problems := tf.resolve(c.getenv)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	store, err := c.store()
	if err != nil {
		return err
	}
	var logins []*tokenstore.Login
	if *all {
		if logins, err = listLogins(store); err != nil {
			return err
		}
	} else {
		key, err := selectLogin(store, t)
		if err != nil {
			return err
		}
		l, err := store.Load(key)
		if err != nil {
			return err
		}
		logins = append(logins, l)
	}
	if len(logins) == 0 {
		fmt.Fprintln(c.stderr, "No login is stored.")
		return nil
	}
	for _, l := range logins {
		if l.Token.RefreshToken != "" {
			if err := revoke(ctx, l); err != nil {
				fmt.Fprintf(c.stderr, "warning: the tenant did not revoke the refresh token (%v); it stays valid until it expires or is revoked in Auth0\n", err)
			}
		}
		if err := store.Delete(l.Key()); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "Logged out of %s.\n", describe(l.Key(), l.OrganizationName))
	}
	fmt.Fprintln(c.stderr, "Your browser's session at the tenant is untouched; the next `token login` may not ask for a password.")
	return nil
}

// revoke asks the tenant to revoke the login's refresh token (Auth0's
// /oauth/revoke, RFC 7009), as the public client it was issued to.
func revoke(ctx context.Context, l *tokenstore.Login) error {
	if err := checkEndpoint(l.Issuer); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	form := url.Values{"client_id": {l.ClientID}, "token": {l.Token.RefreshToken}, "token_type_hint": {"refresh_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tenanturl.Revoke(l.Issuer), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", tenanturl.Revoke(l.Issuer), resp.Status)
	}
	return nil
}
