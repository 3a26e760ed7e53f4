package proxy

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// DefaultSetAside is how long a model server that failed is left out of
// the balancing (Config.SetAside).
const DefaultSetAside = 10 * time.Second

// servers balances one model's requests across its servers: each request
// goes to the server with the fewest requests in flight (a long generation
// holds its server, so counting requests beats taking turns), ties taken in
// turn. Health is passive: a server that fails a request (no connection,
// or a 502, 503 or 504 of its own) is set aside for setAside, then tried
// again.
type servers struct {
	mu       sync.Mutex
	list     []*server
	turn     int // where the search for a tie starts
	setAside time.Duration
	now      func() time.Time
}

type server struct {
	url        *url.URL
	inFlight   int
	asideUntil time.Time
}

func newServers(urls []*url.URL, setAside time.Duration, now func() time.Time) *servers {
	s := &servers{setAside: setAside, now: now}
	for _, u := range urls {
		s.list = append(s.list, &server{url: u})
	}
	return s
}

// pick takes the server for a request, or reports how long until one is
// back when all are set aside. Each server picked must be released.
func (s *servers) pick() (*server, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var best *server
	back := s.setAside
	for i := range s.list {
		c := s.list[(s.turn+i)%len(s.list)]
		if wait := c.asideUntil.Sub(now); wait > 0 {
			back = min(back, wait)
			continue
		}
		if best == nil || c.inFlight < best.inFlight {
			best = c
		}
	}
	if best == nil {
		return nil, back
	}
	s.turn++
	best.inFlight++
	return best, 0
}

// release ends a request on c; failed sets c aside.
func (s *servers) release(c *server, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.inFlight--
	if failed {
		c.asideUntil = s.now().Add(s.setAside)
	}
}

// serverFailed reports whether a model server's status says it is in no
// state to serve: a gateway or load balancer in front of it without a
// backend (502, 504), or the server itself overloaded or starting (503).
func serverFailed(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}
