package redistest

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook (rdb.AddHook) counting what goes to Redis
// and waits for its answer: each command, and each pipeline as one. What a
// new connection sends first (HELLO, CLIENT SETINFO, ...) is not counted.
type RoundTrips struct{ n atomic.Int64 }

// Count is the round trips so far.
func (h *RoundTrips) Count() int64 { return h.n.Load() }

// Reset starts counting from zero.
func (h *RoundTrips) Reset() { h.n.Store(0) }

func (h *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !connectionSetup(cmd) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && !connectionSetup(cmds[0]) {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// connectionSetup reports whether go-redis sent cmd to set up a new
// connection (it goes through the hooks too).
func connectionSetup(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "client", "auth", "select":
		return true
	}
	return false
}

// CPUMeter measures the CPU time this process and a redis-server spend, for
// benchmarks: on a busy machine CPU time per operation moves less than wall
// time does.
type CPUMeter struct {
	rdb          *redis.Client
	self, server time.Duration
}

// StartCPU starts measuring; rdb is a client of the server to measure, or
// nil for this process alone.
func StartCPU(t testing.TB, rdb *redis.Client) *CPUMeter {
	t.Helper()
	m := &CPUMeter{rdb: rdb, self: selfCPU(t)}
	if rdb != nil {
		m.server = serverCPU(t, rdb)
	}
	return m
}

// Report adds the CPU per operation since StartCPU to b's results:
// go-cpu-µs/op (this whole process: with an in-process gateway, the client
// and the model server too) and redis-cpu-µs/op.
func (m *CPUMeter) Report(b *testing.B) {
	b.Helper()
	self := selfCPU(b) - m.self
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "go-cpu-µs/op")
	if m.rdb != nil {
		server := serverCPU(b, m.rdb) - m.server
		b.ReportMetric(float64(server.Microseconds())/float64(b.N), "redis-cpu-µs/op")
	}
}

func selfCPU(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the server's CPU time so far, from INFO cpu.
func serverCPU(t testing.TB, rdb *redis.Client) time.Duration {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("INFO cpu: %s: %v", k, err)
			}
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}
