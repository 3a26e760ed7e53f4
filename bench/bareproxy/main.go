// Command bareproxy is the benchmark's reference: an httputil.ReverseProxy
// as its documentation writes one, with no token check, no logging and
// Go's default transport and flush settings.
//
//	bareproxy -listen 127.0.0.1:27182 -upstream http://127.0.0.1:27181
//
// -idle-per-host N gives the transport N idle connections per host
// instead of http.DefaultTransport's 2, to separate what the gateway gains
// from its connection pool from what it costs in checks.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27182", "listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:27181", "upstream base URL")
	idle := flag.Int("idle-per-host", 0, "idle upstream connections kept per host; 0 keeps http.DefaultTransport (2)")
	flag.Parse()
	u, err := url.Parse(*upstream)
	if err != nil || u.Host == "" {
		fmt.Fprintf(os.Stderr, "bareproxy: -upstream %q: want a base URL such as http://127.0.0.1:27181\n", *upstream)
		os.Exit(2)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(u)
		pr.SetXForwarded()
	}}
	if *idle > 0 {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = *idle, *idle
		proxy.Transport = t
	}
	srv := &http.Server{Addr: *listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bareproxy:", err)
		os.Exit(1)
	}
}
