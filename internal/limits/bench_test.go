package limits

import (
	"context"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/redistest"
)

// BenchmarkAdmit is the cost of one admission and one count of tokens for a
// caller under every kind of limit (client and organization, rate and
// budget), in memory and in Redis on loopback.
func BenchmarkAdmit(b *testing.B) {
	const config = `{"perClient": {"requests": 1000000000, "tokensPerDay": 1000000000000},
		"perOrg": {"requests": 1000000000, "tokensPerDay": 1000000000000}}`
	run := func(b *testing.B, s Store) {
		p, err := load(b, config)
		if err != nil {
			b.Fatal(err)
		}
		e := NewEnforcer(p, s, nil)
		c := Caller{ClientID: "client-a", OrgID: "org_acme"}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			v, err := e.Admit(ctx, c)
			if err != nil || v.Denied != nil {
				b.Fatal(err, v.Denied)
			}
			if err := e.Record(ctx, c, 10); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("memory", func(b *testing.B) { run(b, NewMemory(nil)) })
	b.Run("redis", func(b *testing.B) {
		srv := redistest.Start(b)
		run(b, NewRedis(srv.Client(b), 0))
	})
}
