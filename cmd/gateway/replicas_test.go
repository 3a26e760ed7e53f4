package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant/devtenanttest"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/pgtest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/redistest"
	"github.com/model-api-auth0/model-api-auth0/internal/testing/syncbuf"
)

// Replicas: two gateway processes (the binary, as deployed) share one
// Redis and one PostgreSQL ledger, behind the dev tenant and the echo model
// server. What the issue promises of them, each case able to fail:
// one person's budget holds across both; the ledger holds every call
// exactly once; a database outage loses no row; a gateway killed with
// SIGKILL loses at most its last second.
//
// The ledger's flush interval (ledger.Options.FlushEvery) is its default,
// 1 s: what SIGKILL may lose.
const ledgerFlush = time.Second

// budget is alice's tokensPerDay: about 20 calls of the echo model.
const budget = 200

type replicas struct {
	bin    string
	pg     *pgtest.Server
	redis  *redistest.Server
	env    []string // the tenant, the routes file, Redis: all but the ledger
	token  string   // alice's, from the dev tenant, for the organization acme
	prompt string
}

func startReplicas(t *testing.T) *replicas {
	if testing.Short() {
		t.Skip("builds the gateway and runs two processes, Redis and PostgreSQL")
	}
	r := &replicas{redis: redistest.Start(t), pg: pgtest.Start(t)}
	tenant := devtenanttest.Dev(t)
	echo := httptest.NewServer(echomodel.New(echomodel.Options{Models: []string{"echo-small"}}))
	t.Cleanup(echo.Close)
	routes := filepath.Join(t.TempDir(), "routes.yaml")
	require.NoError(t, os.WriteFile(routes, fmt.Appendf(nil, `routes:
  - pattern: POST /v1/chat/completions
    allOf: [invoke:models]
models:
  - {name: echo-small, servers: [%s], price: {input: 1, output: 2}}
limits:
  perPerson: {tokensPerDay: %d}
`, echo.URL, budget), 0o644))
	r.env = []string{"AUTH0_ISSUER=" + tenant.Issuer(), "AUTH0_AUDIENCE=" + tenant.Audience(), "AUTH0_JWKS_URL=" + tenant.JWKSURL(),
		"ROUTES_FILE=" + routes, "REDIS_URL=" + r.redis.URL}
	tok, err := tenant.Tokens(context.Background(), devtenant.UserLogin{Email: "alice@acme.example.com", Organization: "acme"})
	require.NoError(t, err)
	r.token = tok.AccessToken
	r.bin = buildGateway(t)
	return r
}

// database creates a database of its own for one case, and returns its URL.
func (r *replicas) database(t *testing.T, name string) string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, r.pg.DSN)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	require.NoError(t, err)
	return strings.Replace(r.pg.DSN, "/postgres?", "/"+name+"?", 1)
}

// gatewayProc is one gateway process.
type gatewayProc struct {
	addr   string
	cmd    *exec.Cmd
	log    *syncbuf.Buffer
	exited chan error
}

// start runs a gateway recording into the ledger at dsn.
func (r *replicas) start(t *testing.T, dsn string) *gatewayProc {
	t.Helper()
	cmd := exec.Command(r.bin, "-listen", "127.0.0.1:0")
	cmd.Env = append(r.env[:len(r.env):len(r.env)], "LEDGER_DB="+dsn)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &gatewayProc{cmd: cmd, log: &syncbuf.Buffer{}, exited: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.log.Write(append(sc.Bytes(), '\n'))
			var e struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Msg == "gateway listening" {
				listening <- e.Addr
			}
		}
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		p.exited <- nil // for a second waiter
		if t.Failed() {
			t.Logf("gateway %s log:\n%s", p.addr, p.log.String())
		}
	})
	select {
	case p.addr = <-listening:
	case err := <-p.exited:
		t.Fatalf("the gateway exited before listening (%v):\n%s", err, p.log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the gateway did not start within 60 s:\n%s", p.log.String())
	}
	return p
}

// stop shuts the gateway down as an orchestrator does (SIGTERM), and
// requires a clean exit.
func (p *gatewayProc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.exited:
		p.exited <- err
		require.NoError(t, err, "the gateway's exit after SIGTERM:\n%s", p.log.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("the gateway did not exit within 90 s of SIGTERM:\n%s", p.log.String())
	}
}

// answer is what a caller got from one call.
type answer struct {
	status    int
	code      string // OpenAI's error code of a refusal
	requestID string
	tokens    int64 // the usage reported to a caller that did not stream
	at        time.Time
}

// chat makes one call of echo-small through the gateway at addr.
func (r *replicas) chat(t *testing.T, addr string, stream bool) answer {
	t.Helper()
	body := fmt.Sprintf(`{"model":"echo-small","stream":%t,"messages":[{"role":"user","content":%q}]}`, stream, r.prompt)
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, requestID: resp.Header.Get("X-Request-Id"), at: time.Now()}
	var out struct {
		Usage struct {
			TotalTokens int64 `json:"total_tokens"`
		} `json:"usage"`
		Error struct{ Code string } `json:"error"`
	}
	if !stream || a.status != http.StatusOK {
		require.NoError(t, json.Unmarshal(b, &out), "%s", b)
	}
	a.tokens, a.code = out.Usage.TotalTokens, out.Error.Code
	if a.status == http.StatusOK {
		require.Regexp(t, `^[0-9a-f]{32}$`, a.requestID, "a call's ledger ID")
		if !stream {
			require.Positive(t, a.tokens, "%s", b)
		} else {
			require.NotContains(t, string(b), `"choices":[]`, "the usage event is kept from a stream that did not ask")
		}
	}
	return a
}

// ledgerRows is request ID → whether the row is metered, of the ledger at dsn.
func ledgerRows(t *testing.T, dsn string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT request_id, NOT unmetered FROM model_usage")
	require.NoError(t, err)
	got := map[string]bool{}
	for rows.Next() {
		var id string
		var metered bool
		require.NoError(t, rows.Scan(&id, &metered))
		got[id] = metered
	}
	require.NoError(t, rows.Err())
	return got
}

func TestReplicasShareRedisAndPostgres(t *testing.T) {
	r := startReplicas(t)
	r.prompt = "one two three four five"

	// With leases (-limits-lease, 10 ms by default) a process sends its
	// counts to Redis once per period, and reads the budget at most once per
	// period: another process's counts show up to two periods late
	// (docs/operations.md). A person calling faster than that (the echo
	// model answers in a millisecond) can pass the budget by the calls of
	// those periods; one whose calls are further apart, as a model's are,
	// cannot. Without leases every call goes to Redis.
	for _, c := range []struct {
		name, lease string
		pause       time.Duration
	}{
		// A call's tokens are counted just after its caller has the
		// response: the next call waits for that to land, on a loaded
		// machine too.
		{"no leases, calls 50 ms apart", "0", 50 * time.Millisecond},
		// Far more than two periods, for a loaded machine's late timers.
		{"leases of 10 ms, calls 250 ms apart", "10ms", 250 * time.Millisecond},
	} {
		t.Run("one person's budget holds across both/"+c.name, func(t *testing.T) {
			require.NoError(t, r.redis.Client(t).FlushAll(context.Background()).Err(), "a new day's budget")
			dsn := r.database(t, "budget_"+c.lease)
			env := r.env
			r.env = append(env[:len(env):len(env)], "LIMITS_LEASE="+c.lease)
			defer func() { r.env = env }()
			gw := []*gatewayProc{r.start(t, dsn), r.start(t, dsn)}
			var spent, last int64
			var calls int
			for ; ; calls++ {
				require.Less(t, calls, 3*budget, "never refused")
				a := r.chat(t, gw[calls%2].addr, false)
				if a.status == http.StatusTooManyRequests {
					require.Equal(t, "insufficient_quota", a.code)
					break
				}
				require.Equal(t, http.StatusOK, a.status)
				spent, last = spent+a.tokens, a.tokens
				time.Sleep(c.pause)
			}
			t.Logf("%d calls admitted, %d tokens of a budget of %d (the last call: %d)", calls, spent, budget, last)
			// A request is admitted before its usage is known: the one that
			// spends the budget is served whole, and only it may pass it.
			assert.LessOrEqual(t, spent, int64(budget)+last, "admitted past the budget plus the last response")
			assert.GreaterOrEqual(t, spent, int64(budget), "refused before the budget was spent")
			for i, g := range gw {
				a := r.chat(t, g.addr, false)
				assert.Equal(t, [2]any{http.StatusTooManyRequests, "insufficient_quota"}, [2]any{a.status, a.code}, "gateway %d", i)
			}
		})
	}
	// The budget is spent: a person of their own would be needed for
	// more model calls; the ledger cases use an unlimited routes file.
	r.env = withRoutes(t, r.env, "")

	t.Run("the ledger holds every call exactly once", func(t *testing.T) {
		dsn := r.database(t, "once")
		gw := []*gatewayProc{r.start(t, dsn), r.start(t, dsn)}
		const n = 60
		ids := map[string]bool{}
		for i := range n {
			a := r.chat(t, gw[i%2].addr, i%3 == 0) // a third of them streamed, not asking for usage
			require.Equal(t, http.StatusOK, a.status)
			ids[a.requestID] = true
		}
		require.Len(t, ids, n, "distinct request IDs")
		gw[0].stop(t)
		gw[1].stop(t)
		rows := ledgerRows(t, dsn)
		assert.Len(t, rows, n)
		for id := range ids {
			assert.True(t, rows[id], "call %s: no row, or unmetered", id)
		}
	})

	t.Run("the database stopped and started again: no row lost", func(t *testing.T) {
		dsn := r.database(t, "outage")
		gw := []*gatewayProc{r.start(t, dsn), r.start(t, dsn)}
		ids := map[string]bool{}
		call := func(i int) {
			a := r.chat(t, gw[i%2].addr, i%2 == 0)
			require.Equal(t, http.StatusOK, a.status, "a request never waits for the database")
			ids[a.requestID] = true
		}
		for i := range 20 {
			call(i)
		}
		r.pg.Stop()
		// The outage: long enough for several failed writes and the
		// backoff to reach its longest (5 s). The buffer that bounds a
		// longer one is a setting (ledger.Options.Buffer, docs/ledger.md).
		for i, until := 0, time.Now().Add(8*time.Second); time.Now().Before(until); i++ {
			call(i)
			time.Sleep(20 * time.Millisecond)
		}
		for _, g := range gw {
			assert.Contains(t, g.log.String(), "ledger: writing usage rows failed", "the outage was seen: rows were held")
		}
		require.NoError(t, r.pg.Restart())
		for i := range 20 {
			call(i)
		}
		gw[0].stop(t)
		gw[1].stop(t)
		rows := ledgerRows(t, dsn)
		t.Logf("%d calls, %d rows", len(ids), len(rows))
		assert.Len(t, rows, len(ids))
		for id := range ids {
			assert.True(t, rows[id], "call %s: lost", id)
		}
	})

	t.Run("a gateway killed with SIGKILL loses at most its last second", func(t *testing.T) {
		dsn := r.database(t, "killed")
		killed, other := r.start(t, dsn), r.start(t, dsn)
		// Paced, so that no batch fills (500 rows): only the flush
		// interval writes rows, and a gateway that held them for long
		// would lose the early ones.
		var answers []answer
		for until := time.Now().Add(7 * time.Second); time.Now().Before(until); {
			a := r.chat(t, killed.addr, len(answers)%2 == 0)
			require.Equal(t, http.StatusOK, a.status)
			answers = append(answers, a)
			time.Sleep(20 * time.Millisecond)
		}
		killedAt := time.Now()
		require.NoError(t, killed.cmd.Process.Kill())
		<-killed.exited
		killed.exited <- nil
		other.stop(t)
		rows := ledgerRows(t, dsn)
		// A row waits at most the flush interval, and its write takes a
		// little: on two shared cores, seconds of slack, still far less
		// than the 7 s of calls.
		bound := ledgerFlush + 2*time.Second
		var checked, lost int
		var lostSince time.Duration // the oldest call lost, before the kill
		for _, a := range answers {
			age := killedAt.Sub(a.at)
			if !rows[a.requestID] {
				lost, lostSince = lost+1, max(lostSince, age)
			}
			if age > bound {
				checked++
				assert.True(t, rows[a.requestID], "call answered %v before the kill: lost", age)
			}
		}
		t.Logf("%d calls, %d rows: %d lost, the oldest answered %v before the kill", len(answers), len(rows), lost, lostSince)
		require.Greater(t, checked, len(answers)/3, "calls old enough to be checked")
		assert.LessOrEqual(t, len(rows), len(answers), "rows of calls never made")
	})
}

// withRoutes replaces the routes file of env by one with limits (none if "").
func withRoutes(t *testing.T, env []string, limits string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if path, ok := strings.CutPrefix(kv, "ROUTES_FILE="); ok {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			text, _, _ := strings.Cut(string(b), "limits:")
			if limits != "" {
				text += "limits:\n" + limits
			}
			path = filepath.Join(t.TempDir(), "routes.yaml")
			require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
			kv = "ROUTES_FILE=" + path
		}
		out = append(out, kv)
	}
	return out
}
