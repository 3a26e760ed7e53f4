package proxy

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeastOutstandingWithTwoServers(t *testing.T) {
	one, _ := url.Parse("http://one")
	two, _ := url.Parse("http://two")
	now := time.Unix(0, 0)
	s := newServers([]*url.URL{one, two}, 10*time.Second, func() time.Time { return now })

	first, _ := s.pick()
	second, _ := s.pick()
	require.NotSame(t, first, second, "a busy server is not picked while the other is idle")
	s.release(second, false)
	for range 3 { // whichever server the turn starts at
		third, _ := s.pick()
		assert.Same(t, second, third, "the server with fewer requests in flight")
		s.release(third, false)
	}
	s.release(first, false)

	// Idle servers are taken in turn, not always the first.
	a, _ := s.pick()
	s.release(a, false)
	b, _ := s.pick()
	s.release(b, false)
	assert.NotSame(t, a, b)
}

func TestFailingServerIsSetAsideThenTriedAgain(t *testing.T) {
	one, _ := url.Parse("http://one")
	two, _ := url.Parse("http://two")
	now := time.Unix(0, 0)
	s := newServers([]*url.URL{one, two}, 10*time.Second, func() time.Time { return now })

	bad, _ := s.pick()
	s.release(bad, true)
	for range 5 {
		c, _ := s.pick()
		assert.NotSame(t, bad, c, "set aside")
		s.release(c, false)
	}
	now = now.Add(10 * time.Second)
	c1, _ := s.pick()
	c2, _ := s.pick()
	assert.ElementsMatch(t, []*server{s.list[0], s.list[1]}, []*server{c1, c2}, "back after the set-aside period")
	s.release(c1, true)
	s.release(c2, true)

	now = now.Add(4 * time.Second)
	none, back := s.pick()
	assert.Nil(t, none, "every server is set aside")
	assert.Equal(t, 6*time.Second, back, "until the first is back")
}
