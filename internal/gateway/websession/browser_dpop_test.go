package websession_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/websession"
)

// In a real browser, at a gateway that requires DPoP of a stack that
// requires it of all clients: a person logs in and the page's calls to the
// protected routes pass, with a token bound to the session's key, which
// the browser never sees.
func TestBrowserDPoPLogin(t *testing.T) {
	ctx := chromium(t)
	s := newStack(t, options{dpop: guard.DPoPRequired, idsOnly: true, organizations: true})
	require.NoError(t, uiLogin(ctx, s, bob, "globex"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitVisible(css(`[data-probe="/api/messages/protected"][data-status="200"]`)),
		chromedp.WaitVisible(css(`[data-probe="/api/messages/admin"][data-status="403"]`)),
	))
	cookies, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{s.url() + "/"}})
	})
	require.NoError(t, err)
	var id string
	for _, c := range cookies.Cookies {
		if c.Name == "session" {
			id = c.Value
		}
	}
	require.NotEmpty(t, id, "the session cookie")
	token, tokenType, jkt, err := websession.SessionToken(context.Background(), s.webs[0], id)
	require.NoError(t, err)
	assert.Equal(t, "DPoP", tokenType)
	assert.Equal(t, map[string]any{"jkt": jkt}, cnf(t, token), "bound to the session's key")
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(css("html")))
	require.NoError(t, err)
	assert.NotContains(t, html, token, "no token in the page")
	stolen(t, s.url(), token)
}
