package devtenant

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// loginCookie ties the logins a browser starts at /authorize to it: a
// login's forms are taken only from the browser that opened them, else an
// attacker could start a login and have a victim's browser post it with
// the attacker's credentials (login CSRF), logging that browser in to the
// tenant, and so to every application, as the attacker. Strict: only the
// tenant's own pages send it; Path /u/: only the forms need it.
const loginCookie = "devtenant_login"

// bindLogin returns the key of the browser's login cookie, set now if the
// browser has none (one per browser: its logins in several tabs share it).
func (t *Tenant) bindLogin(w http.ResponseWriter, r *http.Request) [32]byte {
	value := rand.Text() + rand.Text()
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == len(value) {
		value = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: value, Path: "/u/", MaxAge: int(LoginLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(t.Issuer(), "https:")})
	return key(value)
}

// boundHere reports whether r comes from the browser that started login l.
func boundHere(r *http.Request, l *login) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil {
		return false
	}
	got := key(c.Value)
	return subtle.ConstantTimeCompare(got[:], l.Binding[:]) == 1
}

// fromOtherSite reports whether a browser says a form post comes from a
// page of another origin than the tenant's: Sec-Fetch-Site, or without it
// the Origin header. (Sec-Fetch-Site first: the tenant's pages have no
// referrer, so a browser sends their own form posts with Origin: null.) A
// client that sends neither (not a browser) passes.
func (t *Tenant) fromOtherSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site != "same-origin"
	}
	u, _ := url.Parse(t.Issuer())
	origins := r.Header.Values("Origin")
	return len(origins) > 1 || len(origins) == 1 && origins[0] != u.Scheme+"://"+u.Host
}

// refuseForm answers a form post from another site or another browser.
func (t *Tenant) refuseForm(w http.ResponseWriter, r *http.Request, l *login) bool {
	switch {
	case t.fromOtherSite(r):
		t.pages.errorPage(w, http.StatusForbidden, "Refused", "This form was posted from another site, not from the dev tenant's own page; start again from the application.")
	case l != nil && !boundHere(r, l):
		t.pages.errorPage(w, http.StatusForbidden, "Refused", "This login was started in another browser; start again from the application.")
	default:
		return false
	}
	return true
}
