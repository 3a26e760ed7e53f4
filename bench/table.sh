# bench/table.sh: the throughput table of bench/gateway.sh (sourced by it).

# nginx_conf DIR PORT [CONNECTIONS]: a plain keep-alive proxy, one worker
# (4096 connections unless told), every path in DIR.
nginx_conf() {
	local dir=$1 port=$2 connections=${3:-4096}
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $((connections + 64));
events { worker_connections $connections; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream model { server 127.0.0.1:$port_upstream; keepalive 256; }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://model;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
}

# cpu_ticks PID...: user+system CPU of the processes and their children
# (nginx's worker), in clock ticks.
cpu_ticks() {
	local total=0 p
	for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
		total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$total"
}

# measure NAME URL ROUND PID...: a warm-up in the first round, then
# DURATION seconds of wrk on core 1. Prints "req/s p50 p99 non2xx errors
# cpu-us-per-request" (the CPU of the given processes).
# REQ="SCRIPT TOKEN" picks the wrk script and token file (default: GET
# /v1/models with the client's token); PROFILE_URL, when set, is a pprof
# CPU profile taken during the run into PROFILE_OUT.
measure() {
	local name=$1 url=$2 round=$3 out=$tmp/wrk-$1-$3.txt script token
	shift 3
	read -r script token <<<"${REQ:-$tmp/auth.lua $tmp/token}"
	if [ "$round" = 1 ]; then
		BENCH_TOKEN_FILE=$token taskset -c 1 wrk -t1 -c"$conns" -d2s -s "$script" "$url" >/dev/null
	fi
	local before after profiler=""
	if [ -n "${PROFILE_URL:-}" ]; then
		taskset -c 1 curl -fsS -o "$PROFILE_OUT" "$PROFILE_URL?seconds=$((duration > 1 ? duration - 1 : 1))" &
		profiler=$!
	fi
	before=$(cpu_ticks "$@")
	BENCH_TOKEN_FILE=$token taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$script" "$url" >"$out"
	after=$(cpu_ticks "$@")
	[ -z "$profiler" ] || wait "$profiler" || echo "gateway.sh: no CPU profile from $PROFILE_URL" >&2
	awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
		/requests in/ { n = $1 }
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
		END { printf "%s %s %s %d %d %.1f\n", rps, p50, p99, bad, errs, (n ? ticks / hz * 1e6 / n : 0) }' "$out"
}

run_table() {
	local rows=() gateway_rows=() notes=() deployed_rows=() mode
	declare -A label=() url=() req=() procs_extra=()
	if [ "$redis" = 1 ]; then
		command -v redis-server >/dev/null || { echo "gateway.sh: -redis needs redis-server (apt-get install redis-server)" >&2; exit 1; }
		start_db redis redis-server --bind 127.0.0.1 --port "$port_redis" --save "" --appendonly no --dir "$tmp"
		for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port_redis") 2>/dev/null && break; sleep 0.1; done
	fi
	[ "$only" = deployed ] || edge_rows
	local edge=("${rows[@]}")
	start_deployed
	measure_rows
	[ "$only" = deployed ] || print_edge
	print_deployed
	local n
	for n in "${notes[@]}"; do echo "note: $n"; done
	for row in "${rows[@]}"; do [ "$row" = upstream ] || [ -z "${pid[$row]:-}" ] || stop "$row"; done
}

# edge_rows: starts the servers of the edge-proxy rows (GET /v1/models).
edge_rows() {
	start bare "$bin/bareproxy" -listen "127.0.0.1:$port_bare" -upstream "http://127.0.0.1:$port_upstream"
	start tuned "$bin/bareproxy" -listen "127.0.0.1:$port_tuned" -upstream "http://127.0.0.1:$port_upstream" -idle-per-host 256
	ready bare "http://127.0.0.1:$port_bare/v1/models"
	ready tuned "http://127.0.0.1:$port_tuned/v1/models"
	rows+=(upstream bare tuned)
	for mode in "${sysmon_modes[@]}"; do
		GATEWAY_RUN_ENV=$(sysmon_env "$mode") start_gateway "${sysmon_row[$mode]}" "${sysmon_port[$mode]}" "${limits_flags[@]}" \
			-metrics-listen "127.0.0.1:${sysmon_metrics[$mode]}"
		gateway_rows+=("${sysmon_row[$mode]}")
	done
	start_gateway gwplain "$port_gwplain"
	rows+=("${gateway_rows[@]}" gwplain)
	label+=(
		[upstream]="upstream direct"
		[bare]="bare ReverseProxy (Go defaults)"
		[tuned]="bare ReverseProxy, 256 idle conns"
		[gateway]="gateway: limits (memory), metrics"
		[gwawake]="gateway (GODEBUG=schedtrace): limits (memory), metrics"
		[gwplain]="gateway: no limits, no metrics"
		[gwredis]="gateway: limits (Redis), metrics"
		[gwbase]="gateway: GATEWAY_BASELINE_BIN"
		[jwtmw]="ReverseProxy + go-jwt-middleware v3"
		[nginx]="nginx plain proxy (1 worker)"
	)
	url+=(
		[upstream]=$port_upstream [bare]=$port_bare [tuned]=$port_tuned [gateway]=$port_gateway
		[jwtmw]=$port_jwtmw [nginx]=$port_nginx [gwredis]=$port_gwredis [gwbase]=$port_gwbase
		[gwplain]=$port_gwplain [gwawake]=$port_gwawake
	)
	if [ -n "${GATEWAY_BASELINE_BIN:-}" ]; then
		GATEWAY=gateway-baseline GATEWAY_RUN_ENV=${GATEWAY_BASELINE_ENV-${GATEWAY_ENV:-}} start_gateway gwbase "$port_gwbase" "${limits_flags[@]}" -metrics-listen "127.0.0.1:$port_metrics_base"
		rows+=(gwbase)
	fi
	if [ -z "$jwtmw_note" ]; then
		start jwtmw "$bin/jwtmw" -listen "127.0.0.1:$port_jwtmw" -upstream "http://127.0.0.1:$port_upstream" \
			-issuer "$issuer" -audience "$audience" -jwks-url "$jwks"
		ready jwtmw "http://127.0.0.1:$port_jwtmw/v1/models"
		rows+=(jwtmw)
	else
		notes+=("$jwtmw_note")
	fi
	if command -v nginx >/dev/null; then
		nginx_conf "$tmp/nginx" "$port_nginx"
		start nginx nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
		ready nginx "http://127.0.0.1:$port_nginx/v1/models"
		rows+=(nginx)
	else
		notes+=("nginx row dropped: nginx is not installed (apt-get install nginx-light)")
	fi
	if [ "$redis" = 1 ]; then
		start_gateway gwredis "$port_gwredis" "${limits_flags[@]}" -redis "redis://127.0.0.1:$port_redis/0" \
			-metrics-listen "127.0.0.1:$port_metrics_redis"
		rows+=(gwredis)
		procs_extra[gwredis]=${pid[redis]}
	fi
}

# measure_rows: every row, round by round; sets rps and line (the median
# round's "req/s p50 p99 cpu") of each.
measure_rows() {
	declare -A procs=()
	for row in "${rows[@]}"; do procs[$row]="${pid[$row]:-} ${procs_extra[$row]:-}"; done
	# Rounds go over every row in turn, so that a machine that slows down
	# for a while slows all rows alike; each row shows its median round.
	declare -gA rps=() line=()
	declare -A runs=()
	local round row r p50 p99 bad errs cpu prof
	for round in $(seq "$rounds"); do
		for row in "${rows[@]}"; do
			echo "round $round/$rounds: measuring ${label[$row]}..." >&2
			prof=""
			if [ -n "${PROFILE:-}" ] && [ "$round" = "$rounds" ] && [ -n "${profile_port[$row]:-}" ]; then
				mkdir -p "$PROFILE"
				prof=http://127.0.0.1:${profile_port[$row]}/debug/pprof/profile
			fi
			# shellcheck disable=SC2086 # procs is a list of process IDs
			read -r r p50 p99 bad errs cpu < <(REQ=${req[$row]:-} PROFILE_URL=$prof PROFILE_OUT=${PROFILE:-}/$row.pprof \
				measure "$row" "http://127.0.0.1:${url[$row]}/v1/models" "$round" ${procs[$row]})
			runs[$row]+="$r $p50 $p99 $cpu"$'\n'
			if [ "$bad" != 0 ] || [ "$errs" != 0 ]; then
				notes+=("${label[$row]}: $bad non-2xx answers, $errs socket errors in round $round: its rate is not comparable (KEEP=1 keeps the logs)")
			fi
		done
	done
	for row in "${rows[@]}"; do
		line[$row]=$(printf '%s' "${runs[$row]}" | sort -n -k1,1 | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }')
		rps[$row]=${line[$row]%% *}
	done
}

# print_edge: the edge-proxy rows' table and goals.
print_edge() {
	local row r p50 p99 cpu n
	echo
	echo "Throughput: GET /v1/models (60-byte answer), $conns keep-alive connections, ${duration} s per row and round,"
	echo "median of $rounds round(s);"
	echo "servers on core 0, wrk -t1 on core 1; $(uname -r), $(go version | cut -d' ' -f3)"
	echo "CPU: user+system time per request of the row's server (for a proxy, without the upstream's)."
	printf '%-54s %10s %9s %9s %9s %9s %13s\n' row "req/s" p50 p99 "x bare" "x nginx" "CPU us/req"
	for row in "${edge[@]}"; do
		read -r r p50 p99 cpu <<<"${line[$row]}"
		printf '%-54s %10.0f %9s %9s %9s %9s %13s\n' "${label[$row]}" "$r" "$p50" "$p99" \
			"$(ratio "$r" "${rps[bare]}")" "$(ratio "$r" "${rps[nginx]:-}")" "$cpu"
	done
	for row in "${gateway_rows[@]}"; do
		goal "${label[$row]%%:*} >= 1.05x bare ReverseProxy" "${rps[$row]}" "${rps[bare]}" 1.05
		goal "${label[$row]%%:*} >= 0.5x nginx" "${rps[$row]}" "${rps[nginx]:-}" 0.5
	done
	if [ "$redis" = 1 ]; then goal "gateway with Redis limits >= 0.9x bare ReverseProxy" "${rps[gwredis]}" "${rps[bare]}" 0.9; fi
}

ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo -; }

# goal TEXT VALUE REFERENCE MIN
goal() {
	[ -n "$3" ] || { echo "goal: $1: no reference row"; return; }
	awk -v t="$1" -v a="$2" -v b="$3" -v m="$4" 'BEGIN { r = a / b; printf "goal: %-64s %.2f  %s\n", t, r, (r >= m ? "met" : "MISSED") }'
}
