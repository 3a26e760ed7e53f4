// Package redisurl turns the gateway's one Redis setting (`-redis` or
// REDIS_URL, a redis:// or rediss:// URL) into a go-redis client, for every
// part of the gateway that shares state across replicas: sessions and rate
// limits use the same Redis.
package redisurl

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// Flag and Env name the setting, so that every part of the gateway names it
// alike in its help and its errors.
const (
	Flag = "redis"
	Env  = "REDIS_URL"
)

// Defaults for timeouts the URL does not set (go-redis accepts
// ?dial_timeout=, ?read_timeout=, ...). They are short on purpose: a Redis
// that does not answer must turn into a clear 503 quickly, not hold a request
// for go-redis's default 5 s dial and 3 retries.
const (
	DefaultDialTimeout  = time.Second
	DefaultReadTimeout  = 500 * time.Millisecond
	DefaultWriteTimeout = 500 * time.Millisecond
	DefaultMaxRetries   = 1
	DefaultDialRetries  = 1
)

// ErrURL is wrapped by every error of Parse.
var ErrURL = errors.New("invalid Redis URL")

// Parse checks raw and returns go-redis options. Errors name the setting and
// never repeat a password the URL carries.
func Parse(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, fmt.Errorf("%w: -%s / %s %s: want redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// for TLS",
			ErrURL, Flag, Env, redacted(raw, u, err))
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		// go-redis's messages name the part that is wrong (database, query
		// parameter), never the password.
		return nil, fmt.Errorf("%w: -%s / %s %s: %v", ErrURL, Flag, Env, u.Redacted(), err)
	}
	q := u.Query()
	if !q.Has("dial_timeout") {
		opts.DialTimeout = DefaultDialTimeout
	}
	if !q.Has("read_timeout") {
		opts.ReadTimeout = DefaultReadTimeout
	}
	if !q.Has("write_timeout") {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if !q.Has("max_retries") {
		opts.MaxRetries = DefaultMaxRetries
	}
	if !q.Has("dialer_retries") {
		opts.DialerRetries = DefaultDialRetries
	}
	// A call whose context has a deadline is bounded by it, not by
	// ReadTimeout and retries: the limits give Redis a few milliseconds.
	opts.ContextTimeoutEnabled = true
	return opts, nil
}

// Client parses raw and returns a client; it does not connect until used.
func Client(raw string) (*redis.Client, error) {
	opts, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opts), nil
}

// redacted shows a URL without its password; one that does not parse is
// not shown at all, since its password cannot be told apart.
func redacted(raw string, u *url.URL, err error) string {
	if err != nil {
		return "(not a URL)"
	}
	if raw == "" {
		return `""`
	}
	return fmt.Sprintf("%q", u.Redacted())
}
