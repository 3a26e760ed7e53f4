package devtenant

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxTokenRequestBytes bounds a token request body.
const maxTokenRequestBytes = 64 << 10

// token is /oauth/token: authorization_code (with PKCE), refresh_token
// (rotating) and client_credentials, with Auth0's errors.
func (t *Tenant) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	resp, err := t.grant(w, r)
	if err != nil {
		t.writeOAuthError(w, r, "token request refused", err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// writeOAuthError answers a refused request of the token or revocation
// endpoint with RFC 6749 5.2 error JSON, and logs why (never the form).
func (t *Tenant) writeOAuthError(w http.ResponseWriter, r *http.Request, what string, err error) {
	var oe *oauthError
	if !errors.As(err, &oe) {
		oe = &oauthError{http.StatusInternalServerError, "server_error", err.Error()}
	}
	if oe.Code == "invalid_client" {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="devtenant"`)
		}
	}
	t.log.Info(what, "error", oe.Code, "description", oe.Description)
	writeJSON(w, oe.Status, oe)
}

func (t *Tenant) grant(w http.ResponseWriter, r *http.Request) (*tokenResponse, error) {
	form, err := readTokenRequest(w, r)
	if err != nil {
		return nil, err
	}
	c, err := t.authenticate(r, form)
	if err != nil {
		return nil, err
	}
	jkt, err := t.proofKey(r, c, form)
	if err != nil {
		return nil, err
	}
	resp, err := t.grantType(c, form)
	if err != nil || jkt == "" {
		return resp, err
	}
	return t.bind(resp, jkt)
}

// grantType issues the tokens of the request's grant_type.
func (t *Tenant) grantType(c *client, form url.Values) (*tokenResponse, error) {
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
		return t.grantCode(c, form)
	case "refresh_token":
		return t.grantRefresh(c, form)
	case "client_credentials":
		return t.grantClientCredentials(c, form)
	case "":
		return nil, errInvalidRequest("grant_type is missing")
	default:
		return nil, &oauthError{http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", gt)}
	}
}

// readTokenRequest reads a form (RFC 6749) or, as Auth0 also accepts, a JSON
// object of strings. A parameter given twice is refused.
func readTokenRequest(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBytes)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, errInvalidRequest("the body could not be read: " + err.Error())
		}
		for name, values := range r.PostForm {
			if len(values) > 1 {
				return nil, errInvalidRequest(fmt.Sprintf("the parameter %s is given %d times", name, len(values)))
			}
		}
		return r.PostForm, nil
	case "application/json":
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, errInvalidRequest("the body is not a JSON object of strings: " + err.Error())
		}
		form := url.Values{}
		for k, v := range body {
			form.Set(k, v)
		}
		return form, nil
	default:
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded or application/json")
	}
}

// authenticate finds the client and checks its secret by the methods it is
// registered for: client_secret_post for M2M clients (as the stack
// declares them), post or basic for the web app, none for the native client.
func (t *Tenant) authenticate(r *http.Request, form url.Values) (*client, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: both are form-encoded before going into the header.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		switch {
		case err1 != nil || err2 != nil:
			return nil, errInvalidClient("the Authorization header is not form-encoded client credentials")
		case form.Has("client_secret"):
			return nil, errInvalidRequest("the client authenticates twice (Authorization header and client_secret); use one method")
		case form.Has("client_id") && form.Get("client_id") != id:
			return nil, errInvalidRequest("client_id in the body differs from the Authorization header")
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return nil, errInvalidClient("no client: send client_id (and client_secret)")
	}
	c, err := t.lookupClient(r.Context(), id)
	if err != nil {
		return nil, errInvalidClient("client metadata document: " + err.Error())
	}
	if c == nil {
		return nil, errInvalidClient(fmt.Sprintf("unknown client %q", id))
	}
	switch {
	case c.public() && (basic || secret != ""):
		return nil, errInvalidClient(fmt.Sprintf("%s is a public client: it sends no secret, PKCE protects its codes", c.Name))
	case c.public():
		return c, nil
	case c.Kind == machine && basic:
		return nil, errInvalidClient(fmt.Sprintf("%s authenticates with client_secret_post: send client_id and client_secret in the body", c.Name))
	case secret == "":
		return nil, errInvalidClient(fmt.Sprintf("%s is a confidential client: send its client_secret", c.Name))
	case subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1:
		return nil, errInvalidClient("wrong client secret")
	}
	return c, nil
}

func (t *Tenant) grantCode(c *client, form url.Values) (*tokenResponse, error) {
	if c.Kind == machine {
		return nil, errUnauthorizedClient(fmt.Sprintf("%s may only use the client_credentials grant", c.Name))
	}
	code := form.Get("code")
	if code == "" {
		return nil, errInvalidRequest("code is missing")
	}
	ac, replayed := t.store.redeemCode(code, c)
	switch {
	case replayed:
		return nil, errInvalidGrant("the authorization code was already used; the tokens issued from it are revoked")
	case ac == nil:
		return nil, errInvalidGrant("invalid or expired authorization code, or issued to another client")
	case form.Get("redirect_uri") != ac.RedirectURI:
		return nil, errInvalidGrant("redirect_uri differs from the one of the authorization request")
	case !verifyPKCE(form.Get("code_verifier"), ac.CodeChallenge):
		return nil, errInvalidGrant("code_verifier does not match the code_challenge")
	}
	return t.userTokens(ac.grantBase, ac.Scopes, ac.Nonce)
}

func (t *Tenant) grantRefresh(c *client, form url.Values) (*tokenResponse, error) {
	if c.Kind == machine {
		return nil, errUnauthorizedClient(fmt.Sprintf("%s may only use the client_credentials grant", c.Name))
	}
	rt, reused := t.store.rotateRefresh(form.Get("refresh_token"), c)
	switch {
	case reused:
		return nil, errInvalidGrant("the refresh token was already used; every token of its login is revoked, log in again")
	case rt == nil:
		return nil, errInvalidGrant("invalid, expired or revoked refresh token, or issued to another client")
	}
	scopes := rt.Scopes
	if s := form.Get("scope"); s != "" {
		scopes = strings.Fields(s)
		for _, scope := range scopes {
			if !slices.Contains(rt.Scopes, scope) {
				return nil, &oauthError{http.StatusBadRequest, "invalid_scope", fmt.Sprintf("scope %q was not granted to this refresh token", scope)}
			}
		}
	}
	// The new refresh token keeps the login's scopes; only this access token is narrowed.
	return t.userTokens(rt.grantBase, scopes, "")
}

func (t *Tenant) grantClientCredentials(c *client, form url.Values) (*tokenResponse, error) {
	if c.Kind != machine {
		return nil, errUnauthorizedClient(fmt.Sprintf("%s is not allowed the client_credentials grant", c.Name))
	}
	switch aud := t.requestedAudience(form); {
	case aud == "":
		return nil, errAccessDenied("No audience parameter was provided, and no default audience has been configured")
	case aud != t.Audience():
		return nil, errAccessDenied(fmt.Sprintf("Service not found: %s", aud))
	}
	scopes := c.Scopes
	if s := form.Get("scope"); s != "" {
		scopes = nil
		var missing []string
		for _, scope := range strings.Fields(s) {
			switch {
			case !slices.Contains(c.Scopes, scope):
				missing = append(missing, scope)
			case !slices.Contains(scopes, scope):
				scopes = append(scopes, scope)
			}
		}
		if len(missing) > 0 {
			return nil, errAccessDenied("Client has not been granted scopes: " + strings.Join(missing, ", "))
		}
	}
	org, err := t.clientOrganization(c, form.Get("organization"))
	if err != nil {
		return nil, err
	}
	return t.machineToken(c, scopes, org)
}
