package devtenant

import (
	"crypto/rand"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is a successful /oauth/token answer (RFC 6749 5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// oidcScopes are the scopes that are not the API's.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

// userTokens issues the tokens of a user's login (a code, or a refresh
// token whose scopes may be narrowed to scopes). Claims are Auth0's for an
// API with RBAC and the access_token_authz dialect: permissions are the
// member's roles' in the organization of the login, and the scope claim
// holds the requested API scopes the user has as permissions.
func (t *Tenant) userTokens(g grantBase, scopes []string, nonce string) (*tokenResponse, error) {
	u := t.dir.userByID(g.UserID)
	if u == nil {
		return nil, errInvalidGrant("the user of this grant is not a test user of the stack")
	}
	if t.store.revokedFamily(g.Family) {
		return nil, errInvalidGrant("the tokens of this login are revoked")
	}
	org := t.dir.orgByID[g.OrgID]
	permissions := []string{}
	if org != nil {
		if roles, member := t.dir.membership(org, u.ID); member {
			permissions = t.dir.permissions(roles)
		}
	}
	if g.Client.Kind == agent {
		// An agent's grant bounds what it carries: people keep their
		// roles' permissions, only those the agent was granted go through.
		permissions = slices.DeleteFunc(permissions, func(p string) bool { return !slices.Contains(g.Client.Scopes, p) })
	}
	var granted []string
	for _, s := range scopes {
		if slices.Contains(oidcScopes, s) || g.Audience != "" && slices.Contains(permissions, s) {
			granted = append(granted, s)
		}
	}
	now := t.now()
	lifetime := *t.cfg.API.TokenLifetime // code + PKCE uses the API's lifetime, not the one for implicit flows
	userinfo := t.Issuer() + "userinfo"
	openid := slices.Contains(granted, "openid")
	claims := jwt.MapClaims{
		"iss": t.Issuer(), "sub": u.ID, "azp": g.Client.ID, "iat": now.Unix(), "exp": now.Add(time.Duration(lifetime) * time.Second).Unix(),
		"scope": strings.Join(granted, " "), "jti": rand.Text(),
	}
	switch {
	case g.Audience == "":
		claims["aud"] = userinfo
	case openid:
		claims["aud"] = []string{g.Audience, userinfo}
		claims["permissions"] = permissions
	default:
		claims["aud"] = g.Audience
		claims["permissions"] = permissions
	}
	t.organizationClaims(claims, org)
	access, err := t.keys.sign(claims)
	if err != nil {
		return nil, err
	}
	resp := &tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: lifetime, Scope: claims["scope"].(string)}
	if openid {
		if resp.IDToken, err = t.idToken(g, u, org, granted, nonce); err != nil {
			return nil, err
		}
	}
	if slices.Contains(granted, "offline_access") && g.Audience != "" && t.cfg.API.AllowOfflineAccess {
		resp.RefreshToken, err = t.store.newRefresh(&refreshToken{grantBase: g, Expires: now.Add(RefreshTokenLifetime)})
		if err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// idToken says who logged in, to the client: OIDC claims by scope, the
// nonce of the request, and the organization of the login.
func (t *Tenant) idToken(g grantBase, u *user, org *organization, scopes []string, nonce string) (string, error) {
	now := t.now()
	claims := jwt.MapClaims{
		"iss": t.Issuer(), "sub": u.ID, "aud": g.Client.ID, "iat": now.Unix(), "exp": now.Add(IDTokenLifetime).Unix(),
		"auth_time": g.AuthTime.Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if slices.Contains(scopes, "email") {
		claims["email"], claims["email_verified"] = u.Email, true
	}
	if slices.Contains(scopes, "profile") {
		claims["name"], claims["nickname"] = u.Name, strings.Split(u.Email, "@")[0]
	}
	t.organizationClaims(claims, org)
	return t.keys.sign(claims)
}

// machineToken is an M2M client's access token: sub CLIENT_ID@clients,
// gty client-credentials, the granted scopes as scope and permissions.
func (t *Tenant) machineToken(c *client, scopes []string, org *organization) (*tokenResponse, error) {
	now := t.now()
	lifetime := *t.cfg.API.TokenLifetime
	claims := jwt.MapClaims{
		"iss": t.Issuer(), "sub": c.ID + "@clients", "aud": t.Audience(), "azp": c.ID, "gty": "client-credentials",
		"iat": now.Unix(), "exp": now.Add(time.Duration(lifetime) * time.Second).Unix(),
		"scope": strings.Join(scopes, " "), "permissions": scopes, "jti": rand.Text(),
	}
	t.organizationClaims(claims, org)
	access, err := t.keys.sign(claims)
	if err != nil {
		return nil, err
	}
	return &tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: lifetime, Scope: claims["scope"].(string)}, nil
}

// organizationClaims adds the organization of a token: org_id, and org_name
// where Auth0 adds it, on a tenant that allows organization names.
func (t *Tenant) organizationClaims(claims jwt.MapClaims, org *organization) {
	if org == nil {
		return
	}
	claims["org_id"] = org.ID
	if !t.orgIDsOnly {
		claims["org_name"] = org.Name
	}
}
