package websession

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

//go:embed web
var webFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(webFiles, "web/page.html"))

// staticFiles serves the page's script and style sheet from the binary.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(webFiles, "web/static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(rw, r) // no directory listings
			return
		}
		rw.Header().Set("X-Content-Type-Options", "nosniff")
		rw.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(rw, r)
	})
}

// pageData is what the page shows. It never holds a token: the claims are
// decoded here, and the page's script calls the API with the cookie.
type pageData struct {
	User        *user
	Permissions []string
	Scopes      []string
	ExpiresAt   string
	Claims      string
	TokenError  string
	Notice      string
	Error       string
	Status      int
	DefaultOrg  string
	Probes      []string
}

// probes are the routes the page calls twice a second with the session.
var probes = []string{"/api/messages/protected", "/api/messages/admin"}

// page is GET /: who is logged in, the organization, the token's
// permissions and the live answers of the reference routes.
func (w *Web) page(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	data := pageData{DefaultOrg: w.cfg.DefaultOrg, Status: http.StatusOK}
	u, ok := w.sm.Get(ctx, keyUser).(user)
	if !ok {
		if id, _ := w.sessionID(r); id != "" && w.sm.Token(ctx) == "" {
			w.clearCookie(ctx, rw) // a cookie naming no session
		}
		w.render(rw, data)
		return
	}
	current, err := w.accessToken(ctx, u)
	token := current.AccessToken
	switch {
	case err == nil:
	case errors.Is(err, ErrSessionEnded):
		if w.destroy(ctx) == nil {
			w.clearCookie(ctx, rw)
		}
		data.Notice = "Your session ended: its tokens expired and could not be renewed. Log in again."
		w.render(rw, data)
		return
	default:
		data.TokenError = err.Error()
	}
	if u2, ok := w.sm.Get(ctx, keyUser).(user); ok {
		u = u2 // renewed
	}
	data.User, data.Probes = &u, probes
	if token != "" {
		id, err := w.cfg.Validator.Validate(ctx, token)
		if err != nil {
			data.TokenError = "the gateway does not accept this session's access token: " + err.Error()
		} else {
			data.Permissions, data.Scopes = slices.Sorted(slices.Values(id.Permissions)), id.Scopes
			data.ExpiresAt = id.ExpiresAt.UTC().Format(time.RFC3339)
			data.Claims = decodedClaims(token)
		}
	}
	w.render(rw, data)
}

// decodedClaims shows a validated token's claims, never the token.
func decodedClaims(token string) string {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return ""
	}
	b, _ := json.MarshalIndent(claims, "", "  ")
	return string(b)
}

// fail answers a browser route with an HTML page naming what went wrong.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, status int, message string) {
	if status == http.StatusServiceUnavailable {
		rw.Header().Set("Retry-After", "5")
	}
	w.render(rw, pageData{Status: status, Error: message, DefaultOrg: w.cfg.DefaultOrg})
}

func (w *Web) render(rw http.ResponseWriter, data pageData) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		http.Error(rw, "the page cannot be rendered", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	// Forms go to the gateway, which redirects to the tenant (login, logout).
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "+
		"form-action 'self' "+tenantOrigin(w.cfg.Issuer)+"; frame-ancestors 'none'; base-uri 'none'")
	rw.WriteHeader(data.Status)
	buf.WriteTo(rw)
}

func tenantOrigin(issuer string) string {
	u, _ := url.Parse(issuer)
	return u.Scheme + "://" + u.Host
}
