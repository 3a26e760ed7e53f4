package proxy_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkThroughput calls a small upstream handler directly and through
// the gateway (token validated, scope checked, proxied) with parallel
// keep-alive clients on loopback, in one run: compare the two ns/op.
func BenchmarkThroughput(b *testing.B) {
	iss, gw, _, upstreamURL := setupWithUpstream(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"llama-3-8b","object":"model"}]}`)
	}))
	token := "Bearer " + iss.Token(nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	run := func(b *testing.B, url, auth string) {
		callOK(b, client, func() *http.Request {
			req, _ := http.NewRequest("GET", url, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			return req
		})
	}
	b.Run("direct", func(b *testing.B) { run(b, upstreamURL+"/v1/models", "") })
	b.Run("gateway", func(b *testing.B) { run(b, gw.URL+"/v1/models", token) })
}

// callOK sends requests made by newRequest from parallel clients until b.N
// are done, each expected to answer 200.
func callOK(b *testing.B, client *http.Client, newRequest func() *http.Request) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(newRequest())
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
