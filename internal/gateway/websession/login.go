package websession

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// login starts a login: GET /login[?organization=NAME_OR_ID][&returnTo=/path].
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	org := q.Get("organization")
	if org == "" {
		org = w.cfg.DefaultOrg
	}
	if org != "" && !validOrg(org) {
		w.fail(rw, r, http.StatusBadRequest, fmt.Sprintf("organization %q: want an organization name (a-z, 0-9, _ and -, at most 50) or ID (org_...)", org))
		return
	}
	// The stack's organizations are not listed here: anyone may ask.
	asked, err := w.cfg.resolveOrg(org)
	if err != nil {
		w.fail(rw, r, http.StatusBadRequest, fmt.Sprintf("organization %q: %v: check its spelling, use the organization's ID (org_...), or log in without one", org, err))
		return
	}
	returnTo, err := localPath(q.Get("returnTo"))
	if err != nil {
		w.fail(rw, r, http.StatusBadRequest, err.Error())
		return
	}
	binding, err := cookie(r, w.loginCookie, "login")
	if err != nil {
		w.ambiguous(rw, r, w.loginCookie, err, false)
		return
	}
	// Every login stores a pending login: bounded per client.
	if wait := w.limit.wait(r, w.cfg.Now()); wait > 0 {
		rw.Header().Set("Retry-After", retryAfter(wait))
		w.fail(rw, r, http.StatusTooManyRequests, "too many logins started from your address: retry in "+retryAfter(wait)+" s")
		return
	}
	p, err := w.tenant.provider(ctx)
	if err != nil {
		w.fail(rw, r, http.StatusServiceUnavailable, err.Error()+"; retry in a moment")
		return
	}
	// One login cookie per browser ties all its logins in progress to it
	// (tabs): kept if the browser has one.
	if len(binding) != len(rand.Text()) {
		binding = rand.Text()
	}
	state := rand.Text()
	tx := pending{Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), Org: asked.param, OrgName: asked.name, ReturnTo: returnTo, Started: w.cfg.Now()}
	if err := w.putPending(ctx, binding, state, tx); err != nil {
		w.storeDown(rw, r, err)
		return
	}
	w.setLoginCookie(rw, binding)
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(tx.Verifier),
		oidc.Nonce(tx.Nonce),
		oauth2.SetAuthURLParam("audience", w.cfg.Audience),
	}
	if asked.param != "" {
		opts = append(opts, oauth2.SetAuthURLParam("organization", asked.param))
	}
	http.Redirect(rw, r, p.oauth.AuthCodeURL(state, opts...), http.StatusFound)
}

// callback finishes a login: GET /callback?code=...&state=... (or
// ?error=...&error_description=... when the tenant refused).
//
// The first callback with a login's state takes the login and redeems its
// code, once: a code redeemed twice is a replay, for which the tenant
// revokes the login. Any other callback of the same browser with that
// state (a double click, a prefetch) waits for that one's outcome and
// answers the same, with the same session.
func (w *Web) callback(rw http.ResponseWriter, r *http.Request) {
	c, status, err := w.claimLogin(r)
	switch {
	case err != nil:
		w.fail(rw, r, status, err.Error())
	case !c.first:
		w.answerLogin(rw, r, w.awaitOutcome(r.Context(), c.key))
	default:
		// The browser may drop this request for another with the same
		// state (a second click): the login goes on, for that one.
		ctx := context.WithoutCancel(r.Context())
		o := w.finishLogin(ctx, r.URL.Query(), c.tx)
		w.settle(ctx, c.key, o)
		w.answerLogin(rw, r.WithContext(ctx), o)
	}
}

// finishLogin redeems the login's code and stores its session, in place of
// the one the browser had, if any.
func (w *Web) finishLogin(ctx context.Context, q url.Values, tx pending) outcome {
	failed := func(status int, format string, a ...any) outcome {
		return outcome{Status: status, Error: fmt.Sprintf(format, a...)}
	}
	if e := q.Get("error"); e != "" {
		return failed(http.StatusForbidden, "the tenant refused the login: %s: %s%s", e, q.Get("error_description"), refusalHint(tx, e))
	}
	if w.cfg.Now().Sub(tx.Started) > loginTimeout {
		return failed(http.StatusBadRequest, "this login began more than %v ago: start again at /login", loginTimeout)
	}
	code := q.Get("code")
	if code == "" {
		return failed(http.StatusBadRequest, "the callback has no code: start again at /login")
	}
	u, status, err := w.exchange(ctx, tx, code)
	if err != nil {
		w.cfg.Logger.WarnContext(ctx, "login refused", "status", status, "reason", err.Error())
		return failed(status, "%s", err.Error())
	}
	// A new session ID at login: an ID planted before it is worth nothing.
	// The session it replaces ends, and its refresh token with it.
	replaced, hadUser := w.sm.Get(ctx, keyUser).(user)
	replacedID := w.sm.Token(ctx)
	err = w.sm.RenewToken(ctx)
	var id string
	var expiry time.Time
	if err == nil {
		w.sm.Put(ctx, keyUser, u)
		id, expiry, err = w.commit(ctx, true)
	}
	switch {
	case errors.Is(err, errStoreFull):
		return failed(http.StatusServiceUnavailable, "%s", errStoreFull.Error())
	case err != nil:
		w.cfg.Logger.ErrorContext(ctx, "session store failed", "path", "/callback", "error", err)
		return failed(http.StatusServiceUnavailable, "%s", storeDownMessage)
	}
	w.tunnels.ended(replacedID)
	if hadUser {
		w.revoke(ctx, replaced)
	}
	w.cfg.Logger.InfoContext(ctx, "login", "sub", u.Subject, "org_id", u.OrgID)
	return outcome{Session: id, Expiry: expiry, ReturnTo: tx.ReturnTo}
}

// answerLogin answers a callback with its login's outcome.
func (w *Web) answerLogin(rw http.ResponseWriter, r *http.Request, o outcome) {
	if o.Error != "" {
		w.fail(rw, r, o.Status, o.Error)
		return
	}
	w.sm.WriteSessionCookie(r.Context(), rw, o.Session, o.Expiry)
	http.Redirect(rw, r, o.ReturnTo, http.StatusSeeOther)
}

// localPath accepts a path on this gateway to return to after login, and
// nothing that would send the browser elsewhere (//host, /\host, scheme:).
func localPath(s string) (string, error) {
	if s == "" {
		return "/", nil
	}
	u, err := url.Parse(s)
	if err != nil || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) ||
		u.Scheme != "" || u.Host != "" || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) || len(s) > 1024 {
		return "", fmt.Errorf("returnTo %q: want a path on this gateway, such as /", s)
	}
	return s, nil
}
