# bench/deployed.sh: the deployed-shape rows of bench/gateway.sh's table
# (sourced by it): the gateway as a model platform deploys it (models on
# their servers, limits and budgets, the ledger), against the same gateway
# with the token check only, all driven with the same chat completions, in
# the table's rounds so that load drift cancels.

# deployed_routes FILE: the routes file of the deployed rows: three models,
# each on its own port of the upstream, with prices (so that the ledger
# costs each call), and limits per person, client and organization with
# token budgets per day and month set far above what the machine can send:
# every request is checked and counted, none refused.
deployed_routes() {
	cat >"$1" <<EOF
$routes_section
models:
  - {name: bench-a, servers: ["http://127.0.0.1:$port_model_a"], price: {input: 0.10, output: 0.20}}
  - {name: bench-b, servers: ["http://127.0.0.1:$port_model_b"], price: {input: 0.60, output: 0.80}}
  - {name: bench-c, servers: ["http://127.0.0.1:$port_model_c"], price: {input: 0.02, output: 0.02}}
limits:
  perPerson: {requests: 10000000, per: 1s, tokensPerDay: 1000000000000, tokensPerMonth: 1000000000000, usdPerDay: 1000000000}
  perClient: {requests: 10000000, per: 1s, tokensPerDay: 1000000000000, tokensPerMonth: 1000000000000, usdPerDay: 1000000000}
  perOrg: {requests: 10000000, per: 1s, tokensPerDay: 1000000000000, tokensPerMonth: 1000000000000, usdPerDay: 1000000000}
EOF
}

# deployed_lua FILE: wrk's request for the deployed rows: a person's token
# (so that per-person limits apply), and small chat completions naming the
# three models in turn, the same sequence for every row.
deployed_lua() {
	cat >"$1" <<'EOF'
local f = assert(io.open(os.getenv("BENCH_TOKEN_FILE")))
local token = f:read("*l")
f:close()
local requests, i = {}, 0
function init(args)
	local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
	for k, model in ipairs({"bench-a", "bench-b", "bench-c"}) do
		local body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say ok."}],"max_tokens":1}'
		requests[k] = wrk.format("POST", "/v1/chat/completions", headers, body)
	end
end
function request()
	i = i % #requests + 1
	return requests[i]
end
EOF
}

# pg_start: a PostgreSQL cluster of its own in $tmp/pg on 127.0.0.1, as
# internal/testing/pgtest starts one (as the postgres user when run as
# root); sets pg_dsn, or pg_note when PostgreSQL is not installed.
pg_start() {
	local pgbin="" d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn); do
		[ -x "$d/initdb" ] && { pgbin=$d; break; }
	done
	[ -n "$pgbin" ] || pgbin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
	if [ ! -x "$pgbin/initdb" ]; then
		pg_note="the redis+postgres row dropped: PostgreSQL is not installed (apt-get install postgresql)"
		return
	fi
	local as=()
	mkdir -p "$tmp/pg"
	if [ "$(id -u)" = 0 ]; then
		# PostgreSQL refuses to run as root. Its user must reach $tmp/pg:
		# $tmp opens for traversal only (the token files stay 0600).
		chmod 711 "$tmp"
		chown postgres: "$tmp/pg"
		as=(setpriv --reuid=postgres --regid=postgres --init-groups)
	fi
	"${as[@]}" "$pgbin/initdb" -D "$tmp/pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 ||
		{ echo "gateway.sh: initdb failed:" >&2; tail -5 "$tmp/initdb.log" >&2; exit 1; }
	start_db postgres "${as[@]}" "$pgbin/postgres" -D "$tmp/pg/data" -p "$port_pg" -k "$tmp/pg" \
		-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off
	pg_dsn="postgres://postgres@127.0.0.1:$port_pg/postgres?sslmode=disable"
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port_pg") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "gateway.sh: postgres did not come up; its log:" >&2
	tail -20 "$tmp/postgres.log" >&2
	exit 1
}

# start_deployed: starts the deployed rows' gateways and adds them to
# run_table's rows, label, url, req (the wrk script and token) and
# deployed_rows. With PROFILE=DIR each gateway also serves pprof on a
# metrics listener (all three alike, so the ratios hold) and measure takes
# a CPU profile of the last round into DIR/ROW.pprof.
start_deployed() {
	deployed_routes "$tmp/deployed.yaml"
	deployed_lua "$tmp/deployed.lua"
	local post="$tmp/deployed.lua $tmp/person-token" with_pprof
	label+=(
		[dupstream]="upstream direct"
		[dbare]="gateway (bare)"
		[dsqlite]="gateway (models+limits+ledger, sqlite)"
		[dpg]="gateway (models+limits+ledger, redis+postgres)"
	)
	url+=([dupstream]=$port_model_a [dbare]=$port_dbare [dsqlite]=$port_dsqlite [dpg]=$port_dpg)
	req+=([dupstream]=$post [dbare]=$post [dsqlite]=$post [dpg]=$post)
	# with_pprof ROW: the flags that serve the row's profiles with PROFILE.
	with_pprof() { [ -n "${PROFILE:-}" ] && echo "-metrics-listen 127.0.0.1:${profile_port[$1]} -pprof"; }
	declare -gA profile_port=([dbare]=$port_prof_bare [dsqlite]=$port_prof_sqlite [dpg]=$port_prof_pg)
	# shellcheck disable=SC2046 # with_pprof is a list of flags
	start_gateway dbare "$port_dbare" $(with_pprof dbare)
	# shellcheck disable=SC2046
	start_gateway dsqlite "$port_dsqlite" -routes "$tmp/deployed.yaml" -ledger "sqlite:$tmp/ledger.db" $(with_pprof dsqlite)
	deployed_rows=(dupstream dbare dsqlite)
	procs_extra[dupstream]=${pid[upstream]}
	if [ "$redis" != 1 ]; then
		notes+=("the redis+postgres row dropped: it runs with -redis")
	else
		pg_note=""
		pg_start
		if [ -n "$pg_note" ]; then
			notes+=("$pg_note")
		else
			# shellcheck disable=SC2046
			start_gateway dpg "$port_dpg" -routes "$tmp/deployed.yaml" -redis "redis://127.0.0.1:$port_redis/1" \
				-ledger "$pg_dsn" $(with_pprof dpg)
			deployed_rows+=(dpg)
			procs_extra[dpg]="${pid[redis]} ${pid[postgres]}"
		fi
	fi
	if [ -n "${GATEWAY_BASELINE_BIN:-}" ]; then
		# The baseline build in the SQLite row's shape (and the Redis and
		# PostgreSQL row's, when it runs), for before/after in one run.
		label+=([dsqlitebase]="${label[dsqlite]}: GATEWAY_BASELINE_BIN" [dpgbase]="${label[dpg]}: GATEWAY_BASELINE_BIN")
		url+=([dsqlitebase]=$port_dsqlitebase [dpgbase]=$port_dpgbase)
		req+=([dsqlitebase]=$post [dpgbase]=$post)
		GATEWAY=gateway-baseline start_gateway dsqlitebase "$port_dsqlitebase" -routes "$tmp/deployed.yaml" -ledger "sqlite:$tmp/ledger-base.db"
		deployed_rows+=(dsqlitebase)
		if [ -n "${pid[dpg]:-}" ]; then
			GATEWAY=gateway-baseline start_gateway dpgbase "$port_dpgbase" -routes "$tmp/deployed.yaml" \
				-redis "redis://127.0.0.1:$port_redis/2" -ledger "$pg_dsn"
			deployed_rows+=(dpgbase)
			procs_extra[dpgbase]=${procs_extra[dpg]}
		fi
	fi
	rows+=("${deployed_rows[@]}")
}

# print_deployed: the deployed rows' table and goals.
print_deployed() {
	echo
	echo "The deployed shape: POST /v1/chat/completions (a person's token; three models in turn; a 236-byte"
	echo "answer with usage), same connections, rounds and medians. CPU of the redis+postgres rows includes"
	echo "redis-server's and PostgreSQL's."
	printf '%-68s %10s %9s %9s %11s %13s\n' row "req/s" p50 p99 "x gw bare" "CPU us/req"
	local row r p50 p99 cpu
	for row in "${deployed_rows[@]}"; do
		read -r r p50 p99 cpu <<<"${line[$row]}"
		printf '%-68s %10.0f %9s %9s %11s %13s\n' "${label[$row]}" "$r" "$p50" "$p99" "$(ratio "$r" "${rps[dbare]}")" "$cpu"
	done
	goal "models+limits+ledger (sqlite) >= 0.9x gateway (bare)" "${rps[dsqlite]}" "${rps[dbare]}" 0.9
	if [ -n "${rps[dpg]:-}" ]; then
		goal "models+limits+ledger (redis+postgres) >= 0.85x gateway (bare)" "${rps[dpg]}" "${rps[dbare]}" 0.85
	else
		echo "goal: models+limits+ledger (redis+postgres) >= 0.85x gateway (bare): not measured (see the notes)"
	fi
	if [ -n "${PROFILE:-}" ]; then echo "CPU profiles of the last round: $PROFILE/{dbare,dsqlite,dpg}.pprof"; fi
}
