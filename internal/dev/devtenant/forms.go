package devtenant

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// maxFailures is Auth0's brute-force protection threshold: after 10
// consecutive failed logins for one user from one IP, that pair is blocked.
const maxFailures = 10

// maxFormBytes bounds the body of the login and organization forms.
const maxFormBytes = 16 << 10

// failures counts consecutive failed logins per user and client IP.
type failures struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *Tenant) showLogin(w http.ResponseWriter, status int, id string, req authRequest, email, msg string) {
	data := map[string]any{"Login": id, "Client": req.Client.Name, "Email": email, "Error": msg}
	if o := req.Org; o != nil {
		data["Org"] = o.DisplayName
		if b := o.Branding; b != nil {
			data["Color"], data["Background"] = b.PrimaryColor, b.PageBackground
		}
	}
	var users []string
	for _, u := range t.cfg.TestUsers {
		users = append(users, u.Email)
	}
	data["Users"] = users
	t.pages.render(w, status, "login", data)
}

func (t *Tenant) showOrganizations(w http.ResponseWriter, status int, id string, orgs []*organization, msg string) {
	t.pages.render(w, status, "organization", map[string]any{"Login": id, "Orgs": orgs, "Error": msg})
}

// submitLogin checks the email and password of a test user.
func (t *Tenant) submitLogin(w http.ResponseWriter, r *http.Request) {
	form, ok := t.readForm(w, r)
	if !ok {
		return
	}
	id := form.Get(FieldLogin)
	l := t.store.login(id)
	if l == nil {
		t.pages.errorPage(w, http.StatusBadRequest, "Login expired", "This login has expired or was already used; start again from the application.")
		return
	}
	if t.refuseForm(w, r, l) {
		return
	}
	email := strings.TrimSpace(form.Get(FieldEmail))
	u := t.dir.userByEmail(email)
	attempt := strings.ToLower(email) + " " + clientIP(r)
	if u != nil && t.blocked(attempt) {
		t.showLogin(w, http.StatusTooManyRequests, id, l.Request, email,
			"This account is blocked after too many failed logins from your address (brute-force protection). Restart the dev tenant to unblock it.")
		return
	}
	if u == nil || !t.checkPassword(form.Get(FieldPassword)) {
		if u != nil {
			t.failed(attempt)
		}
		t.showLogin(w, http.StatusBadRequest, id, l.Request, email, "Wrong email or password.")
		return
	}
	t.succeeded(attempt)
	now := t.now()
	sessionID, err := t.store.newSession(&session{UserID: u.ID, AuthTime: now, Expires: now.Add(SessionLifetime)})
	if err != nil {
		t.pages.errorPage(w, http.StatusServiceUnavailable, "Try again later", err.Error())
		return
	}
	if old, _ := t.currentSession(r); old != "" {
		t.store.endSession(old) // a new login replaces the browser's session
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sessionID, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(t.Issuer(), "https:"), MaxAge: int(SessionLifetime.Seconds())})
	t.store.loggedIn(id, u.ID, sessionID, now)
	t.continueLogin(w, r, id)
}

// submitOrganization takes the organization a member of several picked. The
// pick must come from the browser that logged in: the login's session cookie.
func (t *Tenant) submitOrganization(w http.ResponseWriter, r *http.Request) {
	form, ok := t.readForm(w, r)
	if !ok || t.refuseForm(w, r, nil) {
		return
	}
	id := form.Get(FieldLogin)
	l := t.store.login(id)
	sessionID, _ := t.currentSession(r)
	if l == nil || l.UserID == "" || subtle.ConstantTimeCompare([]byte(sessionID), []byte(l.Session)) != 1 {
		t.pages.errorPage(w, http.StatusBadRequest, "Login expired", "This login has expired, was already used, or was started in another browser; start again from the application.")
		return
	}
	orgs := t.dir.orgsOf(l.UserID)
	i := slices.IndexFunc(orgs, func(o *organization) bool { return o.ID == form.Get(FieldOrganization) })
	if i < 0 {
		t.showOrganizations(w, http.StatusBadRequest, id, orgs, fmt.Sprintf("%q is not one of your organizations.", form.Get(FieldOrganization)))
		return
	}
	t.issueCode(w, r, id, l, orgs[i])
}

// readForm parses a bounded form body and refuses repeated fields, which
// would make the request ambiguous.
func (t *Tenant) readForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		t.pages.errorPage(w, http.StatusBadRequest, "Bad request", "The form could not be read: "+err.Error())
		return nil, false
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			t.pages.errorPage(w, http.StatusBadRequest, "Bad request", fmt.Sprintf("The field %s is given %d times.", name, len(values)))
			return nil, false
		}
	}
	return r.PostForm, true
}

func (t *Tenant) checkPassword(given string) bool {
	a, b := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(t.password))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// currentSession returns the browser's session of the tenant, if any.
func (t *Tenant) currentSession(r *http.Request) (string, *session) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", nil
	}
	s := t.store.session(c.Value)
	if s == nil {
		return "", nil
	}
	return c.Value, s
}

func (t *Tenant) blocked(attempt string) bool {
	if p := t.cfg.Connection.BruteForceProtection; p != nil && !*p {
		return false
	}
	t.failures.mu.Lock()
	defer t.failures.mu.Unlock()
	return t.failures.n[attempt] >= maxFailures
}

func (t *Tenant) failed(attempt string) {
	t.failures.mu.Lock()
	defer t.failures.mu.Unlock()
	if t.failures.n == nil {
		t.failures.n = map[string]int{}
	}
	if len(t.failures.n) < maxEntries {
		t.failures.n[attempt]++
	}
}

func (t *Tenant) succeeded(attempt string) {
	t.failures.mu.Lock()
	defer t.failures.mu.Unlock()
	delete(t.failures.n, attempt)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
