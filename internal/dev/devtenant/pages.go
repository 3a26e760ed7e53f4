package devtenant

import (
	"bytes"
	"html/template"
	"net/http"
)

// pages are the tenant's plain HTML: the login form, the organization
// picker, errors and the logged-out page. Form field names are part of the
// API: Login and the browser test fill them in.
type pages struct{ tmpl *template.Template }

// Form fields of the login and organization pages.
const (
	FieldLogin        = "login" // the login in progress
	FieldEmail        = "email"
	FieldPassword     = "password"
	FieldOrganization = "organization" // an organization ID
)

const layout = `{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · dev tenant</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0;background:{{if .Background}}{{.Background}}{{else}}#f5f5f5{{end}}}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
.dev{background:#fff3cd;border:1px solid #e0c060;padding:.5rem;font-size:.85rem;border-radius:4px}
label{display:block;margin-top:1rem}input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.5rem;width:100%;padding:.6rem;border:0;border-radius:4px;color:#fff;background:{{if .Color}}{{.Color}}{{else}}#333{{end}}}
.error{color:#b00020}code{font-size:.85rem}
</style></head><body><main>
<p class="dev">Development tenant: not Auth0, not for production.</p>{{end}}
{{define "bottom"}}</main></body></html>{{end}}

{{define "login"}}{{template "top" .}}
<h1>Log in</h1>
<p>to <strong>{{.Client}}</strong>{{if .Org}} for <strong>{{.Org}}</strong>{{end}}</p>
{{if .Error}}<p class="error" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/u/login">
<input type="hidden" name="login" value="{{.Login}}">
<label>Email <input type="email" name="email" value="{{.Email}}" autocomplete="username" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit" id="submit">Continue</button>
</form>
{{if .Users}}<p>Test users of this stack: {{range $i, $u := .Users}}{{if $i}}, {{end}}<code>{{$u}}</code>{{end}}.
The password is printed where the dev tenant was started.</p>{{end}}
{{template "bottom"}}{{end}}

{{define "organization"}}{{template "top" .}}
<h1>Choose an organization</h1>
{{if .Error}}<p class="error" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/u/organization">
<input type="hidden" name="login" value="{{.Login}}">
{{range $i, $o := .Orgs}}<label><input type="radio" name="organization" value="{{$o.ID}}" data-name="{{$o.Name}}"{{if not $i}} checked{{end}}> {{$o.DisplayName}} <code>{{$o.Name}}</code></label>
{{end}}<button type="submit" id="submit">Continue</button>
</form>
{{template "bottom"}}{{end}}

{{define "error"}}{{template "top" .}}
<h1>{{.Title}}</h1>
<p class="error" id="error">{{.Error}}</p>
{{template "bottom"}}{{end}}

{{define "loggedout"}}{{template "top" .}}
<h1>Logged out</h1>
<p>You are logged out of the dev tenant.</p>
{{template "bottom"}}{{end}}

{{define "home"}}{{template "top" .}}
<h1>Dev tenant</h1>
<p>Issuer <code>{{.Issuer}}</code>, API <code>{{.Audience}}</code>.</p>
<p><a href="/.well-known/openid-configuration">OpenID configuration</a> · <a href="/.well-known/jwks.json">JWKS</a></p>
{{template "bottom"}}{{end}}`

func newPages() *pages {
	return &pages{tmpl: template.Must(template.New("pages").Parse(layout))}
}

// render writes a page with headers that keep it out of caches and frames.
func (p *pages) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	if _, ok := data["Title"]; !ok {
		data["Title"] = map[string]string{"login": "Log in", "organization": "Choose an organization", "loggedout": "Logged out", "home": "Dev tenant"}[name]
	}
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	// No form-action: browsers apply it to the redirect after the form,
	// and that redirect goes to the application, on another origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// errorPage is shown where the error cannot go back to the application:
// an unknown client, or a redirect_uri it did not register.
func (p *pages) errorPage(w http.ResponseWriter, status int, title, msg string) {
	p.render(w, status, "error", map[string]any{"Title": title, "Error": msg})
}
