package devtenanttest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
)

// LogInAtGateway logs in as a browser does at the gateway at base
// (http://HOST:PORT): its /login?query, the dev tenant's login form as
// creds, the gateway's callback. It returns the browser, with the session
// cookie, and the organization the gateway sent the tenant.
func LogInAtGateway(tb testing.TB, base, query string, creds devtenant.Credentials) (browser *http.Client, sentOrg string) {
	tb.Helper()
	jar, _ := cookiejar.New(nil) // no options: never fails
	browser = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, location, _ := get(tb, browser, base+"/login?"+query)
	if status != http.StatusFound {
		tb.Fatalf("GET /login?%s: %d, want a redirect to the tenant", query, status)
	}
	authorize, err := url.Parse(location)
	if err != nil {
		tb.Fatal(err)
	}
	callback, err := devtenant.Login(context.Background(), browser, authorize.String(), creds)
	if err != nil {
		tb.Fatalf("the tenant's login: %v", err)
	}
	if status, _, body := get(tb, browser, callback.String()); status != http.StatusSeeOther {
		tb.Fatalf("the gateway's callback: %d %s", status, body)
	}
	return browser, authorize.Query().Get("organization")
}

// Page is the body of the page at url, which must answer 200.
func Page(tb testing.TB, browser *http.Client, url string) string {
	tb.Helper()
	status, _, body := get(tb, browser, url)
	if status != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", url, status, body)
	}
	return body
}

func get(tb testing.TB, browser *http.Client, url string) (status int, location, body string) {
	tb.Helper()
	resp, err := browser.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}
