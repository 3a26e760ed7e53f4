#!/usr/bin/env bash
# bench/gateway.sh: the gateway measured like an edge proxy, in one run.
#
# Starts, on 127.0.0.1 only: the upstream (a 60-byte answer, and server-sent
# events), a bare httputil.ReverseProxy (Go's defaults, and with a 256-idle
# connection pool), the gateway (cmd/gateway, trusting a local issuer whose
# JWKS is served on loopback), a ReverseProxy behind go-jwt-middleware v3
# (bench/jwtmw, when its module can be fetched), nginx as a plain proxy (when
# Debian's nginx-light is installed) and, with -redis, redis-server and a
# PostgreSQL cluster of its own (initdb in the temporary directory). Servers
# run on core 0 (taskset -c 0), the load generator (wrk) on core 1 (and the
# databases: -db-core), the same
# request (with the same bearer token) for every row. Then the stream test:
# STREAMS server-sent-event streams held open at once, directly, through the
# tuned bare ReverseProxy, nginx (when installed) and a fresh gateway.
# Everything started is killed at exit.
#
# The table has two parts, measured in the same rounds. The edge rows: GET
# /v1/models (60 bytes) through each proxy, with the client's token. The
# deployed rows (bench/deployed.sh): POST /v1/chat/completions, small
# bodies naming three models in turn, with a person's token, answered at
# once with their usage:
#   upstream direct;
#   gateway (bare): the token check only, the default upstream;
#   gateway (models+limits+ledger, sqlite): three models each on its own
#     port of the upstream, with prices; limits per person, client and
#     organization (requests, tokensPerDay, tokensPerMonth, far above what
#     the machine can send); the SQLite ledger in the temporary directory;
#   gateway (models+limits+ledger, redis+postgres), with -redis: the same
#     with the limits in redis-server and the ledger in PostgreSQL (the row
#     is dropped, with a note, when PostgreSQL is not installed).
# Their ratios to the bare gateway are printed, with the goals (0.9x for
# SQLite, 0.85x for Redis and PostgreSQL).
#
#   bench/gateway.sh                   # table + streams, 10 s per row
#   bench/gateway.sh -d 30 -redis      # longer rows, plus the gateway with Redis limits
#   bench/gateway.sh -rounds 3 -d 5    # every row 3 times in turn, the median shown
#   bench/gateway.sh -only table       # or: -only streams
#   bench/gateway.sh -only deployed -redis -rounds 5 -d 5   # the deployed rows alone
#   PROFILE=/tmp/prof bench/gateway.sh -only deployed -redis  # and a CPU profile of each deployed gateway
#   bench/gateway.sh -sysmon awake     # the gateway only with Go's runtime monitor kept awake
#   bench/gateway.sh -only deployed -redis -db-core 0   # Redis and PostgreSQL on the gateway's core
#
# -db-core N (1): the core of redis-server and PostgreSQL. In a deployment
# they stand on hosts of their own, shared by the gateway's replicas, so by
# default they run beside wrk, off the gateway's core; their CPU still
# counts in the rows' "CPU us/req". -db-core 0 puts them on core 0 with the
# gateway and the upstream, where their work takes the gateway's time.
#
# -sysmon both|awake|default (both): how Go's runtime monitor (sysmon) runs
# in the gateway. default: as Go starts it, falling into a deep sleep
# whenever every P is idle, so that the next system call wakes it into
# polling every 20 us for a millisecond (golang/go#18236): on a shared core
# it keeps taking the core from a gateway that goes idle between requests.
# awake: with GODEBUG=schedtrace=2147483647 in its environment, which keeps
# the monitor from sleeping deeply (at that period the trace is one SCHED
# line to stderr every 24.8 days). both: the gateway's row ("gateway" and
# "gateway (GODEBUG=schedtrace)") and the stream test run in each; the
# other gateway rows run as Go starts them.
#
# Environment: GATEWAY_FLAGS (extra flags for every gateway run), GATEWAY_ENV
# (extra environment for every gateway run, such as GODEBUG=...), GATEWAY_BIN
# (a gateway binary to measure instead of this tree's cmd/gateway),
# GATEWAY_BASELINE_BIN (another gateway binary, measured as one more row
# with the same flags as the gateway's first row, and GATEWAY_BASELINE_ENV
# as its environment if set, else GATEWAY_ENV; and in the deployed rows, in
# the shape of the SQLite row and of the Redis and PostgreSQL row),
# BASE_PORT (27180: ports BASE_PORT+1..+28), KEEP=1 keeps the logs,
# PROFILE=DIR (the deployed gateways serve pprof on a metrics listener, all
# three alike, and the last round of each writes DIR/ROW.pprof: go tool
# pprof -top DIR/dsqlite.pprof; GATEWAY_BASELINE_BIN's rows get no metrics
# listener then, so compare builds in a run without PROFILE).
# Needs: go, wrk, taskset, curl; optionally nginx, redis-server, PostgreSQL
# (Debian's, under /usr/lib/postgresql; as root it runs as the postgres
# user, with setpriv), tcpdump (the
# forwarding time of streams on the wire; run as root). Not part of
# `go test`.
set -euo pipefail

duration=10 rounds=1 conns=32 streams=2000 hold=10s interval=1s only="" redis=0 sysmon=both db_core=1
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	-d) duration=$2; shift ;;
	-c) conns=$2; shift ;;
	-rounds) rounds=$2; shift ;;
	-streams) streams=$2; shift ;;
	-hold) hold=$2; shift ;;
	-interval) interval=$2; shift ;;
	-only) only=$2; shift ;;
	-redis) redis=1 ;;
	-db-core) db_core=$2; shift ;;
	-sysmon) sysmon=$2; shift ;;
	-h | -help | --help) usage 0 ;;
	*) echo "gateway.sh: unknown argument $1" >&2; usage 2 >&2 ;;
	esac
	shift
done
case "$only" in "" | table | streams | deployed) ;; *) echo "gateway.sh: -only $only: want table, deployed or streams" >&2; exit 2 ;; esac
case "$db_core" in 0 | 1) ;; *) echo "gateway.sh: -db-core $db_core: want 0 or 1" >&2; exit 2 ;; esac
case "$sysmon" in
both) sysmon_modes=(default awake) ;;
default | awake) sysmon_modes=("$sysmon") ;;
*) echo "gateway.sh: -sysmon $sysmon: want both, awake or default" >&2; exit 2 ;;
esac
for tool in go wrk taskset curl; do
	command -v "$tool" >/dev/null || { echo "gateway.sh: $tool is missing (apt-get install wrk util-linux curl; Go 1.26+)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "gateway.sh: needs 2 cores (servers on core 0, wrk on core 1)" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")
declare -A pid=()
cleanup() {
	for name in "${!pid[@]}"; do kill "${pid[$name]}" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

base=${BASE_PORT:-27180}
port_upstream=$((base + 1)) port_bare=$((base + 2)) port_tuned=$((base + 3)) port_nginx=$((base + 4))
port_gateway=$((base + 5)) port_jwtmw=$((base + 6)) port_issuer=$((base + 7)) port_redis=$((base + 8))
port_gwredis=$((base + 9)) port_gwbase=$((base + 10)) port_metrics=$((base + 11)) port_metrics_redis=$((base + 12))
port_gwplain=$((base + 13)) port_metrics_base=$((base + 14)) port_gwawake=$((base + 15)) port_metrics_awake=$((base + 16))
port_model_a=$((base + 17)) port_model_b=$((base + 18)) port_model_c=$((base + 19)) port_dbare=$((base + 20))
port_dsqlite=$((base + 21)) port_dpg=$((base + 22)) port_pg=$((base + 23)) port_prof_bare=$((base + 24))
port_prof_sqlite=$((base + 25)) port_prof_pg=$((base + 26)) port_dsqlitebase=$((base + 27)) port_dpgbase=$((base + 28))
for port in $(seq $((base + 1)) $((base + 28))); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "gateway.sh: 127.0.0.1:$port is in use (a bench left running?); stop it or set BASE_PORT" >&2
		exit 1
	fi
done
issuer=https://bench-tenant.invalid/ audience=https://models.bench.invalid/
jwks=http://127.0.0.1:$port_issuer/.well-known/jwks.json

echo "building..." >&2
bin=$tmp/bin
(cd "$root" && go build -o "$bin/" ./cmd/gateway ./bench/issuer ./bench/upstream ./bench/bareproxy ./bench/streams ./bench/wiretime)
if [ -n "${GATEWAY_BIN:-}" ]; then cp "$GATEWAY_BIN" "$bin/gateway"; fi
if [ -n "${GATEWAY_BASELINE_BIN:-}" ]; then cp "$GATEWAY_BASELINE_BIN" "$bin/gateway-baseline"; fi
jwtmw_note=""
if ! (cd "$root/bench/jwtmw" && go build -o "$bin/jwtmw" . 2>"$tmp/jwtmw-build.log"); then
	jwtmw_note="go-jwt-middleware v3 row dropped: its module did not build ($(head -c 200 "$tmp/jwtmw-build.log"))"
fi

# start NAME CMD...: runs a server on core 0, its output in $tmp/NAME.log
# (start_db: a database server, on -db-core's core).
start() { start_on 0 "$@"; }
start_db() { start_on "$db_core" "$@"; }
start_on() {
	local core=$1 name=$2; shift 2
	taskset -c "$core" "$@" >"$tmp/$name.log" 2>&1 &
	pid[$name]=$!
}
stop() { kill "${pid[$1]}" 2>/dev/null || true; wait "${pid[$1]}" 2>/dev/null || true; unset "pid[$1]"; }
# ready NAME URL: waits for a 200 (with the bearer token) or fails with the log.
ready() {
	for _ in $(seq 100); do
		if curl -fsS -o /dev/null -H "@$tmp/auth.header" "$2" 2>/dev/null; then return 0; fi
		kill -0 "${pid[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "gateway.sh: $1 did not come up at $2; its log:" >&2
	tail -20 "$tmp/$1.log" >&2
	exit 1
}

start issuer "$bin/issuer" -listen "127.0.0.1:$port_issuer" -issuer "$issuer" -audience "$audience" -token-file "$tmp/token" \
	-person-token-file "$tmp/person-token" -permissions "read:models invoke:models model:bench-a model:bench-b model:bench-c"
for _ in $(seq 100); do [ -s "$tmp/person-token" ] && break; sleep 0.1; done
[ -s "$tmp/person-token" ] || { echo "gateway.sh: the issuer wrote no token" >&2; cat "$tmp/issuer.log" >&2; exit 1; }
(umask 077; printf 'Authorization: Bearer %s\n' "$(cat "$tmp/token")" >"$tmp/auth.header")
cat >"$tmp/auth.lua" <<'EOF'
-- Every row gets the same request: GET /v1/models with the bearer token.
local f = assert(io.open(os.getenv("BENCH_TOKEN_FILE")))
wrk.headers["Authorization"] = "Bearer " .. f:read("*l")
f:close()
EOF

# One upstream process: the default upstream, and the deployed rows' three
# models' servers on ports of their own.
start upstream "$bin/upstream" -listen "127.0.0.1:$port_upstream,127.0.0.1:$port_model_a,127.0.0.1:$port_model_b,127.0.0.1:$port_model_c"
ready upstream "http://127.0.0.1:$port_upstream/v1/models"

# The routes of every routes file of the run (here and bench/deployed.sh):
# the gateway's default routes.
routes_section='routes:
  - {pattern: GET /v1/models, allOf: [read:models]}
  - {pattern: "GET /v1/models/{model...}", allOf: [read:models]}
  - {pattern: POST /v1/chat/completions, allOf: [invoke:models]}
  - {pattern: POST /v1/completions, allOf: [invoke:models]}
  - {pattern: POST /v1/embeddings, allOf: [invoke:models]}'

# Limits far above what one machine can send, so that every request is
# checked (per client and per organization: the token has both) and none
# refused.
cat >"$tmp/routes.yaml" <<EOF
$routes_section
limits:
  perClient: {requests: 10000000, per: 1s, tokensPerDay: 1000000000000}
  perOrg: {requests: 10000000, per: 1s, tokensPerDay: 1000000000000}
EOF

# sysmon_env MODE: the gateway's environment for -sysmon's MODE (default or
# awake): GATEWAY_ENV, and for awake schedtrace added to its GODEBUG.
sysmon_env() {
	local kv godebug="" out=()
	# shellcheck disable=SC2086 # GATEWAY_ENV is a list
	for kv in ${GATEWAY_ENV:-}; do
		case "$kv" in GODEBUG=*) godebug=${kv#GODEBUG=} ;; *) out+=("$kv") ;; esac
	done
	[ "$1" = awake ] && godebug=${godebug:+$godebug,}schedtrace=2147483647
	[ -n "$godebug" ] && out+=("GODEBUG=$godebug")
	echo "${out[@]}"
}

# start_gateway NAME PORT FLAGS...: cmd/gateway trusting the local issuer,
# in the first -sysmon mode's environment (GATEWAY=gateway-baseline
# start_gateway ... for the baseline build; GATEWAY_RUN_ENV, when set, is
# the environment).
start_gateway() {
	local name=$1 port=$2; shift 2
	# shellcheck disable=SC2086 # GATEWAY_FLAGS and the environment are lists
	start "$name" env ${GATEWAY_RUN_ENV-$(sysmon_env "${sysmon_modes[0]}")} "$bin/${GATEWAY:-gateway}" -listen "127.0.0.1:$port" -upstream "http://127.0.0.1:$port_upstream" \
		-issuer "$issuer" -audience "$audience" -jwks-url "$jwks" ${GATEWAY_FLAGS:-} "$@"
	ready "$name" "http://127.0.0.1:$port/v1/models"
}

# The gateway's row and stream run of each -sysmon mode: its table row,
# label suffix, port and metrics port.
declare -A sysmon_row=([default]=gateway [awake]=gwawake)
declare -A sysmon_label=([default]="" [awake]=" (GODEBUG=schedtrace)")
declare -A sysmon_port=([default]=$port_gateway [awake]=$port_gwawake)
declare -A sysmon_metrics=([default]=$port_metrics [awake]=$port_metrics_awake)

# The gateway's limits (in memory unless -redis is added); hardening is
# always on, metrics are on with -metrics-listen.
limits_flags=(-routes "$tmp/routes.yaml")

source "$root/bench/table.sh"
source "$root/bench/deployed.sh"
source "$root/bench/streams.sh"
[ "$only" = streams ] || run_table
[ "$only" = table ] || [ "$only" = deployed ] || run_streams
