package limits

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/redisurl"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
)

// BenchmarkAdmit is the cost of one admission and one count of tokens for a
// caller under every kind of limit (client and organization, rate and
// budget), in memory and in Redis on loopback: with one script call, and a
// policy at a time as before the script, and with leases (Leases: a round
// trip per lease period rather than per request); the admit-only variants leave out
// the count, as for a response without usage. Besides time and allocations,
// the Redis variants report the round trips, this process's CPU and
// redis-server's CPU per operation, which a busy machine disturbs less than
// the time; -v logs Redis's own time per command (INFO commandstats).
// Each runs in three shapes: client and organization ("today", before limits
// per person), a person's token with per-person limits (a rate, a day's
// and a month's budget) too, and the deployed shape of bench/gateway.sh (a
// rate, a day's and a month's tokens and a day's money for each of person,
// client and organization; twelve policies).
func BenchmarkAdmit(b *testing.B) {
	const today = `{"perClient": {"requests": 1000000000, "tokensPerDay": 1000000000000},
		"perOrg": {"requests": 1000000000, "tokensPerDay": 1000000000000}`
	b.Run("today", func(b *testing.B) {
		benchmarkAdmit(b, today+"}", Caller{ClientID: "client-a", OrgID: "org_acme"})
	})
	b.Run("per-person", func(b *testing.B) { // with month budgets too
		benchmarkAdmit(b, today+`, "perPerson": {"requests": 1000000000, "tokensPerDay": 1000000000000, "tokensPerMonth": 1000000000000}}`,
			Caller{ClientID: "client-a", OrgID: "org_acme", Person: "auth0|alice"})
	})
	b.Run("deployed", func(b *testing.B) {
		const each = `{"requests": 10000000, "per": "1s", "tokensPerDay": 1000000000000, "tokensPerMonth": 1000000000000, "usdPerDay": 1000000000}`
		benchmarkAdmit(b, `{"perPerson": `+each+`, "perClient": `+each+`, "perOrg": `+each+`}`,
			Caller{ClientID: "client-a", OrgID: "org_acme", Person: "auth0|alice", Model: "bench-a"})
	})
}

func benchmarkAdmit(b *testing.B, config string, c Caller) {
	// run calls started once the connections are open and the script
	// loaded, before the timed loop.
	run := func(b *testing.B, s Store, record bool, started func()) {
		p, err := LoadEnv("limits", mustJSON(b, config), Env{Models: map[string]bool{"bench-a": true}})
		if err != nil {
			b.Fatal(err)
		}
		e := NewEnforcer(p, s, nil)
		ctx := context.Background()
		if _, err := e.Admit(ctx, c); err != nil {
			b.Fatal(err)
		}
		spend := Spend{Tokens: 10, Micros: 3}
		if err := e.RecordSpend(ctx, c, spend); err != nil {
			b.Fatal(err)
		}
		started()
		b.ReportAllocs()
		for b.Loop() {
			v, err := e.Admit(ctx, c)
			if err != nil || v.Denied != nil {
				b.Fatal(err, v.Denied)
			}
			if !record {
				continue
			}
			if err := e.RecordSpend(ctx, c, spend); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("memory", func(b *testing.B) { run(b, NewMemory(nil), true, func() {}) })
	redisRun := func(b *testing.B, store func(*redis.Client) Store, record bool) {
		srv := redistest.Start(b)
		rdb, err := redisurl.Client(srv.URL) // as the gateway makes it
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rdb.Close() })
		trips := &redistest.RoundTrips{}
		rdb.AddHook(trips)
		var cpu *redistest.CPUMeter
		run(b, store(rdb), record, func() {
			cpu = redistest.StartCPU(b, rdb)
			rdb.ConfigResetStat(context.Background()) // for the commandstats below
			trips.Reset()
		})
		cpu.Report(b)
		b.ReportMetric(float64(trips.Count())/float64(b.N), "round-trips/op")
		if testing.Verbose() { // Redis's own time per command
			stats, _ := rdb.Info(context.Background(), "commandstats").Result()
			b.Log(stats)
		}
	}
	script := func(rdb *redis.Client) Store { return NewRedis(rdb, 0) }
	stepwise := func(rdb *redis.Client) Store { return struct{ Store }{NewRedis(rdb, 0)} } // hides Admit
	leased := func(rdb *redis.Client) Store { return NewLeases(NewRedis(rdb, 0), DefaultLease, nil) }
	b.Run("redis", func(b *testing.B) { redisRun(b, script, true) })
	b.Run("redis-leases", func(b *testing.B) { redisRun(b, leased, true) })
	b.Run("redis-admit-only", func(b *testing.B) { redisRun(b, script, false) })
	b.Run("redis-stepwise", func(b *testing.B) { redisRun(b, stepwise, true) })
	b.Run("redis-stepwise-admit-only", func(b *testing.B) { redisRun(b, stepwise, false) })
}
