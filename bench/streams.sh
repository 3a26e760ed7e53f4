# bench/streams.sh: the stream test of bench/gateway.sh (sourced by it).

# capture NAME PORT: records the loopback from the upstream and from the
# proxy at PORT (tcpdump, when installed and allowed), for wiretime.
capture() {
	command -v tcpdump >/dev/null || return 0
	taskset -c 1 tcpdump -i lo -s 512 --time-stamp-precision nano -B 65536 -w "$tmp/$1.pcap" \
		"tcp src port $port_upstream or tcp src port $2" >"$tmp/$1-tcpdump.log" 2>&1 &
	pid[$1]=$!
	sleep 1
	kill -0 "${pid[$1]}" 2>/dev/null || { unset "pid[$1]"; echo "  (no capture: $(tail -1 "$tmp/$1-tcpdump.log"))"; }
}

# wiretime NAME PORT LABEL: stops the capture and prints the forwarding
# time of the proxy at PORT on the wire.
wiretime() {
	[ -n "${pid[$1]:-}" ] || return 0
	kill -INT "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null || true; unset "pid[$1]"
	"$bin/wiretime" -pcap "$tmp/$1.pcap" -upstream-port "$port_upstream" -proxy-port "$2" -window "$tmp/window" -label "$3" || true
}

# run_streams: STREAMS event streams held open at once, directly from the
# upstream, through a bare ReverseProxy (its pool sized as the gateway's),
# through nginx (when installed: what the machine allows a proxy written
# for this) and through a fresh gateway (once per -sysmon mode), so that its
# memory at 0 streams is not what the throughput table left behind.
run_streams() {
	local metrics=${GATEWAY_METRICS_URL:-http://127.0.0.1:$port_metrics/metrics}
	local args=(-streams "$streams" -interval "$interval" -hold "$hold" -upstream "http://127.0.0.1:$port_upstream")
	echo
	echo "Streams: $streams server-sent-event streams at once, one event every $interval each; servers on core 0,"
	echo "the driver (bench/streams) on core 1. Delay: from the upstream's write to the client's read of each event."
	echo "Memory: RSS growth of the process between 0 and $streams open streams, divided by the open streams."
	echo "Delay added: a proxy's delay minus the direct run's, at the same percentile."
	echo "Forwarding time on the wire (with tcpdump): from the upstream's packet of an event to the proxy's, as the kernel"
	echo "stamped them: what the proxy adds, without the driver's own wake-up."
	echo "streams: directly..." >&2
	taskset -c 1 "$bin/streams" "${args[@]}" -label "upstream direct" -url "http://127.0.0.1:$port_upstream" \
		-pid "${pid[upstream]}" -settle 2s -save "$tmp/direct-delays.json" || true
	start sbare "$bin/bareproxy" -listen "127.0.0.1:$port_bare" -upstream "http://127.0.0.1:$port_upstream" -idle-per-host 256
	ready sbare "http://127.0.0.1:$port_bare/v1/models"
	echo "streams: through a bare ReverseProxy..." >&2
	capture cbare "$port_bare"
	taskset -c 1 "$bin/streams" "${args[@]}" -label "bare ReverseProxy, 256 idle conns" -url "http://127.0.0.1:$port_bare" \
		-pid "${pid[sbare]}" -settle 2s -baseline "$tmp/direct-delays.json" -window "$tmp/window" || true
	wiretime cbare "$port_bare" "bare ReverseProxy"
	stop sbare
	if command -v nginx >/dev/null; then
		# A client connection and an upstream connection per stream, and
		# the pool's 256 idle ones: nginx counts them all.
		nginx_conf "$tmp/snginx" "$port_nginx" $((2 * streams + 1024))
		start snginx nginx -p "$tmp/snginx" -c "$tmp/snginx/nginx.conf"
		ready snginx "http://127.0.0.1:$port_nginx/v1/models"
		echo "streams: through nginx..." >&2
		capture cnginx "$port_nginx"
		# Its memory and open files are its worker's.
		taskset -c 1 "$bin/streams" "${args[@]}" -label "nginx plain proxy (1 worker)" -url "http://127.0.0.1:$port_nginx" \
			-pid "$(pgrep -P "${pid[snginx]}" | head -1)" -settle 2s -baseline "$tmp/direct-delays.json" -window "$tmp/window" || true
		wiretime cnginx "$port_nginx" nginx
		stop snginx
	fi
	local mode gateway
	for mode in "${sysmon_modes[@]}"; do
		gateway="gateway${sysmon_label[$mode]}"
		# -max-conns: the gateway serves 4096 connections at once by default; set it for any stream count.
		GATEWAY_RUN_ENV=$(sysmon_env "$mode") start_gateway gwstreams "$port_gateway" "${limits_flags[@]}" \
			-metrics-listen "127.0.0.1:$port_metrics" -max-conns $((streams + 64))
		big_answer gwstreams "$port_gateway" "$gateway"
		echo "streams: through the $gateway..." >&2
		capture cgateway "$port_gateway"
		taskset -c 1 "$bin/streams" "${args[@]}" -label "$gateway" -url "http://127.0.0.1:$port_gateway" \
			-token-file "$tmp/token" -pid "${pid[gwstreams]}" -metrics "$metrics" -goals -baseline "$tmp/direct-delays.json" \
			-window "$tmp/window" || true
		wiretime cgateway "$port_gateway" "$gateway"
		stop gwstreams
	done
}

# big_answer NAME PORT LABEL: a 200 MB answer through the proxy, and its peak RSS.
big_answer() {
	local before after
	before=$(awk '/VmHWM/ { print $2 }' "/proc/${pid[$1]}/status")
	curl -fsS -o /dev/null -H "@$tmp/auth.header" "http://127.0.0.1:$2/v1/models/big?bytes=209715200" ||
		{ echo "  200 MB answer: the request failed"; return; }
	after=$(awk '/VmHWM/ { print $2 }' "/proc/${pid[$1]}/status")
	echo "== $3, fresh: one 200 MB answer through it: peak RSS $((before / 1024)) MiB before, $((after / 1024)) MiB after"
}
