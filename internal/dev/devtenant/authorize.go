package devtenant

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// s256Challenge is what an S256 code_challenge looks like: base64url of a
// SHA-256, 43 characters (RFC 7636 4.2).
var s256Challenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// maxParam bounds state and nonce, which are echoed back.
const maxParam = 2048

// authorize validates an authorization request and shows the login form, or
// goes straight on when the browser has a session (unless prompt=login).
// Errors about the client or its redirect_uri are shown on a page: sending
// them to an unverified redirect_uri would make the tenant an open redirector.
func (t *Tenant) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name, values := range q {
		if len(values) > 1 {
			t.pages.errorPage(w, http.StatusBadRequest, "Bad request", fmt.Sprintf("The parameter %s is given %d times; give it once.", name, len(values)))
			return
		}
	}
	c, err := t.lookupClient(r.Context(), q.Get("client_id"))
	switch {
	case err != nil:
		t.log.Info("client metadata document refused", "error", err)
		t.pages.errorPage(w, http.StatusBadRequest, "Invalid client metadata document", err.Error())
		return
	case q.Get("client_id") == "":
		t.pages.errorPage(w, http.StatusBadRequest, "Bad request", "The client_id parameter is missing.")
		return
	case c == nil:
		t.pages.errorPage(w, http.StatusBadRequest, "Unknown client", fmt.Sprintf("No application has the client_id %q in this tenant.", q.Get("client_id")))
		return
	case c.Kind == machine:
		t.pages.errorPage(w, http.StatusBadRequest, "Unauthorized client",
			fmt.Sprintf("%s is a machine-to-machine client: it gets tokens with client_credentials at /oauth/token, not by logging a user in.", c.Name))
		return
	}
	redirect := q.Get("redirect_uri")
	if !c.allowsCallback(redirect) {
		t.pages.errorPage(w, http.StatusBadRequest, "Callback URL mismatch",
			fmt.Sprintf("The redirect_uri %q is not one of the callback URLs of %s (%s).", redirect, c.Name, strings.Join(c.Callbacks, ", ")))
		return
	}
	req := authRequest{Client: c, RedirectURI: redirect, State: q.Get("state"), Nonce: q.Get("nonce"),
		CodeChallenge: q.Get("code_challenge"), Audience: t.requestedAudience(q), Prompt: q.Get("prompt")}
	if err := t.checkRequest(&req, q); err != nil {
		t.redirectError(w, r, req, err.Code, err.Description)
		return
	}
	sessionID, sess := t.currentSession(r)
	if req.Prompt == "none" && sess == nil {
		t.redirectError(w, r, req, "login_required", "the user is not logged in to the dev tenant")
		return
	}
	id, err := t.store.newLogin(&login{Request: req, Expires: t.now().Add(LoginLifetime), Binding: t.bindLogin(w, r)})
	if err != nil {
		t.redirectError(w, r, req, "temporarily_unavailable", err.Error())
		return
	}
	switch {
	case sess != nil && req.Prompt != "login":
		t.store.loggedIn(id, sess.UserID, sessionID, sess.AuthTime)
		t.continueLogin(w, r, id)
	default:
		t.showLogin(w, http.StatusOK, id, req, "", "")
	}
}

// checkRequest validates everything but the client and the redirect_uri;
// its errors go back to the application.
func (t *Tenant) checkRequest(req *authRequest, q url.Values) *oauthError {
	switch {
	case q.Get("response_type") != "code":
		return &oauthError{Code: "unsupported_response_type", Description: fmt.Sprintf("response_type %q: the dev tenant supports code only", q.Get("response_type"))}
	case q.Get("response_mode") != "" && q.Get("response_mode") != "query":
		return errInvalidRequest(fmt.Sprintf("response_mode %q: the dev tenant answers in the query only", q.Get("response_mode")))
	case q.Get("code_challenge_method") != "S256":
		return errInvalidRequest("PKCE is required with code_challenge_method=S256 (plain and no PKCE are refused)")
	case !s256Challenge.MatchString(req.CodeChallenge):
		return errInvalidRequest("code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)")
	case len(req.State) > maxParam || len(req.Nonce) > maxParam:
		return errInvalidRequest(fmt.Sprintf("state and nonce are limited to %d bytes", maxParam))
	case req.Audience != "" && req.Audience != t.Audience():
		return errAccessDenied(fmt.Sprintf("Service not found: %s", req.Audience))
	case req.Audience != "" && req.Client.Kind == agent && !req.Client.Granted:
		// The API requires a user-type grant (require_client_grant): an
		// agent the stack does not declare in agentClients has none.
		return errAccessDenied(fmt.Sprintf("Client %s has no grant for %s; declare it in %s", req.Client.ID, req.Audience, stackconfig.KeyAgentClients))
	case !slices.Contains([]string{"", "none", "login", "consent"}, req.Prompt):
		return errInvalidRequest(fmt.Sprintf("prompt %q: the dev tenant supports none, login and consent", req.Prompt))
	}
	for _, s := range strings.Fields(q.Get("scope")) {
		if !slices.Contains(req.Scopes, s) {
			req.Scopes = append(req.Scopes, s)
		}
	}
	if param := q.Get("organization"); param != "" {
		var err *oauthError
		if req.Org, err = t.organizationParam(param); err != nil {
			return err
		}
	}
	return nil
}

// continueLogin runs once the user is known: the organization is settled
// (asked for, the only one, or picked), then the code is issued.
func (t *Tenant) continueLogin(w http.ResponseWriter, r *http.Request, id string) {
	l := t.store.login(id)
	if l == nil {
		t.pages.errorPage(w, http.StatusBadRequest, "Login expired", "This login has expired or was already used; start again from the application.")
		return
	}
	req := l.Request
	org := req.Org
	if org != nil {
		if _, member := t.dir.membership(org, l.UserID); !member {
			if !org.AssignMembershipOnLogin {
				t.redirectError(w, r, req, "access_denied", fmt.Sprintf("user %s is not a member of the organization %s", l.UserID, org.Name))
				return
			}
			t.dir.join(org, l.UserID) // a user of the organization's connection: membership on login, no roles
		}
	} else {
		switch orgs := t.dir.orgsOf(l.UserID); len(orgs) {
		case 0: // no organization: a token without org_id and without permissions
		case 1:
			org = orgs[0]
		default:
			if req.Prompt == "none" {
				t.redirectError(w, r, req, "interaction_required", "the user is a member of several organizations and must pick one")
				return
			}
			t.showOrganizations(w, http.StatusOK, id, orgs, "")
			return
		}
	}
	t.issueCode(w, r, id, l, org)
}

func (t *Tenant) issueCode(w http.ResponseWriter, r *http.Request, id string, l *login, org *organization) {
	req := l.Request
	base := grantBase{Client: req.Client, UserID: l.UserID, Scopes: req.Scopes, Audience: req.Audience, AuthTime: l.AuthTime}
	if org != nil {
		base.OrgID = org.ID
	}
	base.Family = rand.Text() // the tokens issued from this code, revoked together on a replay
	code, err := t.store.newCode(&authCode{grantBase: base, RedirectURI: req.RedirectURI, CodeChallenge: req.CodeChallenge,
		Nonce: req.Nonce, Expires: t.now().Add(CodeLifetime)})
	if err != nil {
		t.redirectError(w, r, req, "temporarily_unavailable", err.Error())
		return
	}
	t.store.endLogin(id)
	redirectTo(w, r, req.RedirectURI, url.Values{"code": {code}}, req.State)
}

// redirectError sends an error back to the application's verified redirect_uri.
func (t *Tenant) redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, desc string) {
	redirectTo(w, r, req.RedirectURI, url.Values{"error": {code}, "error_description": {desc}}, req.State)
}

// redirectTo adds params (and state, exactly as given, if any) to the
// query of redirect, keeping the query it has.
func redirectTo(w http.ResponseWriter, r *http.Request, redirect string, params url.Values, state string) {
	u, err := url.Parse(redirect)
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// verifyPKCE checks a code_verifier (RFC 7636 4.1: 43 to 128 unreserved
// characters) against the S256 challenge, in constant time.
func verifyPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || strings.Trim(verifier, unreserved) != "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
