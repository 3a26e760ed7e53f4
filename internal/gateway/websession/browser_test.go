package websession_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/ledger"
)

// chromium returns a browser context for a headless Chromium, or skips the
// test when there is none (REQUIRE_CHROMIUM=1 makes that a failure).
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("REQUIRE_CHROMIUM") == "1" {
			t.Fatal("REQUIRE_CHROMIUM=1 but chromium is not installed (apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium); REQUIRE_CHROMIUM=1 makes this a failure")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()), // a fresh profile
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1200, 900),
		// Without these Chromium resolves outside names (updates, sync,
		// safe browsing, translation); the test stays on loopback.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		chromedp.Flag("no-pings", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx), "chromium does not start")
	return ctx
}

// artifacts is where screenshots are kept: $TEST_ARTIFACTS, or the test's
// temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir, _ = filepath.Abs(dir)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// In a real browser: a model-user logs in, sees their permissions and the
// admin route refused; logs out; a model-admin logs in and sees it answer.
// The tenant takes organization IDs only, as Auth0 does by default: the
// names typed in are resolved with the stack outputs.
func TestBrowserLogin(t *testing.T) {
	ctx := chromium(t)
	db := usageLedger(t)
	s := newStack(t, options{idsOnly: true, organizations: true, usage: db})
	require.NoError(t, db.WriteRows(context.Background(), []ledger.Row{
		{RequestID: "1", Time: time.Now(), Person: s.dt.UserID(bob), Model: "echo-small", InputTokens: 10, OutputTokens: 20, Status: 200},
	}))
	dir := artifacts(t)
	admin := `[data-probe="/api/messages/admin"]`
	protected := `[data-probe="/api/messages/protected"]`

	login := func(email, org string) error { return uiLogin(ctx, s, email, org) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		require.NoError(t, err, sel)
		return v
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
	}

	require.NoError(t, login(bob, "globex"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(css(protected+`[data-status="200"]`)),
		chromedp.WaitVisible(css(admin+`[data-status="403"]`)),
	))
	permissions := text("#permissions")
	assert.Contains(t, permissions, "invoke:models")
	assert.Contains(t, permissions, "read:models")
	assert.NotContains(t, permissions, "read:admin-messages")
	assert.Contains(t, text("#org"), "globex "+s.dt.OrgID("globex"), "named from the stack outputs: the token has no org_name")
	assert.Contains(t, text(admin+" .message"), "read:admin-messages")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(css("#usage-chart svg rect")))) // their usage, drawn
	assert.Contains(t, text("#usage-legend"), "echo-small: 1 calls, 10 in / 20 out tokens")
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	require.NoError(t, err)
	assert.NotContains(t, cookies, "session=", "the session cookie is HttpOnly: scripts cannot read it")
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(css("html")))
	require.NoError(t, err)
	assert.NotContains(t, html, "eyJ", "no token in the page")
	screenshot("model-user.png")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(css("#logout")),
		chromedp.WaitVisible(css("#login")), // back from the tenant's logout
	))
	loggedOut, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, s.url()+"/", loggedOut)

	require.NoError(t, login(alice, "acme"))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(css(admin+`[data-status="200"]`))))
	assert.Contains(t, text("#permissions"), "read:admin-messages")
	assert.Equal(t, "The API successfully recognized you as an admin.", strings.TrimSpace(text(admin+" .message")))
	screenshot("model-admin.png")
	t.Logf("screenshots: %s", dir)
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// uiLogin logs in on the gateway's page as a person would: the page's form,
// the tenant's login form, and back.
func uiLogin(ctx context.Context, s *stack, email, org string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(s.url()+"/"),
		chromedp.WaitVisible(css("#login")),
		chromedp.SetValue(css("#organization"), org),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css(`input[name="email"]`)), // the tenant's login page
		chromedp.SetValue(css(`input[name="email"]`), email),
		chromedp.SetValue(css(`input[name="password"]`), s.dt.Password()),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#logout")), // back on the gateway's page
	)
}
