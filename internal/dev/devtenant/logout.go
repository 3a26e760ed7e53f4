package devtenant

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// logoutAuth0 is Auth0's /v2/logout: it ends the tenant's session, then
// sends the browser to returnTo if it is an allowed logout URL of client_id.
func (t *Tenant) logoutAuth0(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t.endSession(w, r) // a logout request always logs out, even with a bad returnTo
	returnTo := q.Get("returnTo")
	if returnTo == "" {
		t.pages.render(w, http.StatusOK, "loggedout", map[string]any{})
		return
	}
	c := t.dir.clients[q.Get("client_id")]
	if c == nil {
		t.pages.errorPage(w, http.StatusBadRequest, "Logged out",
			"You are logged out, but returnTo needs the client_id of an application that allows it.")
		return
	}
	if !c.allowsLogout(returnTo) {
		t.pages.errorPage(w, http.StatusBadRequest, "Logged out", fmt.Sprintf(
			"You are logged out, but %q is not an allowed logout URL of %s (%s).", returnTo, c.Name, strings.Join(c.Logouts, ", ")))
		return
	}
	redirectTo(w, r, returnTo, nil, "")
}

// logoutOIDC is OpenID Connect RP-initiated logout 1.0: id_token_hint
// and/or client_id name the client, whose logout URLs must list
// post_logout_redirect_uri; state is passed back.
func (t *Tenant) logoutOIDC(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		t.pages.errorPage(w, http.StatusBadRequest, "Bad request", "The logout request could not be read: "+err.Error())
		return
	}
	t.endSession(w, r)
	clientID := r.Form.Get("client_id")
	if hint := r.Form.Get("id_token_hint"); hint != "" {
		aud, err := t.hintAudience(hint)
		if err != nil {
			t.pages.errorPage(w, http.StatusBadRequest, "Logged out", "You are logged out, but the id_token_hint is not an ID token of this tenant: "+err.Error())
			return
		}
		if clientID != "" && clientID != aud {
			t.pages.errorPage(w, http.StatusBadRequest, "Logged out", "You are logged out, but client_id differs from the audience of the id_token_hint.")
			return
		}
		clientID = aud
	}
	redirect := r.Form.Get("post_logout_redirect_uri")
	if redirect == "" {
		t.pages.render(w, http.StatusOK, "loggedout", map[string]any{})
		return
	}
	c := t.dir.clients[clientID]
	switch {
	case c == nil:
		t.pages.errorPage(w, http.StatusBadRequest, "Logged out",
			"You are logged out, but post_logout_redirect_uri needs an id_token_hint or the client_id of an application that allows it.")
	case !c.allowsLogout(redirect):
		t.pages.errorPage(w, http.StatusBadRequest, "Logged out", fmt.Sprintf(
			"You are logged out, but %q is not an allowed logout URL of %s (%s).", redirect, c.Name, strings.Join(c.Logouts, ", ")))
	default:
		redirectTo(w, r, redirect, nil, r.Form.Get("state"))
	}
}

// hintAudience verifies an ID token this tenant signed and returns its
// client. An expired hint is fine: logging out is why it is sent.
func (t *Tenant) hintAudience(hint string) (string, error) {
	claims, err := t.keys.parse(hint, jwt.WithoutClaimsValidation())
	if err != nil {
		return "", err
	}
	if claims["iss"] != t.Issuer() {
		return "", fmt.Errorf("issuer %v is not %s", claims["iss"], t.Issuer())
	}
	aud, _ := claims["aud"].(string)
	if t.dir.clients[aud] == nil {
		return "", fmt.Errorf("its audience is not a client of this tenant")
	}
	return aud, nil
}

func (t *Tenant) endSession(w http.ResponseWriter, r *http.Request) {
	if id, _ := t.currentSession(r); id != "" {
		t.store.endSession(id)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// userinfo returns the claims of the user of an access token whose
// audience includes the userinfo endpoint (a login with openid). A
// DPoP-bound token comes as Authorization: DPoP with a proof of its key,
// as Auth0's /userinfo takes it (userinfoDPoP); sent as Bearer it is
// refused, as a stolen one would be.
func (t *Tenant) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	dpop := strings.EqualFold(scheme, "DPoP")
	if !dpop && !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devtenant"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "send an access token as Authorization: Bearer, or DPoP with a proof"})
		return
	}
	claims, err := t.keys.parse(token, jwt.WithIssuer(t.Issuer()), jwt.WithAudience(t.Issuer()+"userinfo"), jwt.WithExpirationRequired())
	u := t.dir.userByID(fmt.Sprint(claims["sub"]))
	if err == nil && u != nil {
		err = t.userinfoDPoP(r, dpop, token, claims)
	} else {
		err = errors.New("the token is not a valid user token of this tenant for /userinfo")
	}
	if err != nil {
		challenge := `Bearer realm="devtenant", error="invalid_token"`
		if dpop {
			challenge = fmt.Sprintf(`DPoP algs=%q, error="invalid_dpop_proof"`, strings.Join(guard.DefaultDPoPAlgs, " "))
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": err.Error()})
		return
	}
	info := map[string]any{"sub": u.ID}
	scopes := strings.Fields(fmt.Sprint(claims["scope"]))
	for _, s := range scopes {
		switch s {
		case "email":
			info["email"], info["email_verified"] = u.Email, true
		case "profile":
			info["name"], info["nickname"] = u.Name, strings.Split(u.Email, "@")[0]
		}
	}
	if org, ok := claims["org_id"].(string); ok {
		info["org_id"] = org
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, info)
}
