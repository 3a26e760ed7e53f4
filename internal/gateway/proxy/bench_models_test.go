package proxy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
)

// BenchmarkModelRouting sends the same chat request (about 2 KB of JSON,
// "model" last) through a gateway without models, to its upstream, and
// through one with models, which reads the body, checks the model's
// permission and picks a server: compare the two ns/op.
func BenchmarkModelRouting(b *testing.B) {
	up := newUpstream(b, "up")
	body := `{"messages":[` + strings.Repeat(`{"role":"user","content":"Tell me about the weather in Paris, and in \"Lyon\"."},`, 25) +
		`{"role":"user","content":"thanks"}],"temperature":0.2,"model":"m"}`
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	run := func(b *testing.B, models []proxy.Model, fallback *url.URL) {
		iss, gw, _ := startModels(b, models, fallback)
		token := "Bearer " + iss.Token(map[string]any{"scope": "invoke:models model:m"})
		b.ReportAllocs()
		b.ResetTimer()
		callOK(b, client, func() *http.Request {
			req, _ := http.NewRequest("POST", gw+"/v1/chat/completions", strings.NewReader(body))
			req.Header.Set("Authorization", token)
			req.Header.Set("Content-Type", "application/json")
			return req
		})
	}
	b.Run("without-models", func(b *testing.B) { run(b, nil, up.url()) })
	b.Run("with-models", func(b *testing.B) { run(b, []proxy.Model{{Name: "m", Servers: []*url.URL{up.url()}}}, nil) })
}
