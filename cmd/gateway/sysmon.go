package main

import "strings"

// Go's runtime monitor thread (sysmon) falls into a deep sleep whenever
// every P is idle, and the next goroutine to make a system call wakes it
// into polling every 20 µs for a millisecond (golang/go#18236). A gateway
// that shares its core (a sidecar with a CPU limit of 1; bench/gateway.sh)
// goes idle between most requests, so the monitor keeps taking the core
// from it: 100 against 78 µs of CPU per request in bench/gateway.sh, 0.41x
// against 0.51x nginx's throughput. With GODEBUG=schedtrace set, the
// monitor never sleeps deeply (it must wake to print the trace); at its
// longest period, 24.8 days, the trace is one SCHED line to stderr that
// often (and one at start on a host up longer than that). GODEBUG is read
// when the process starts, so main starts the binary again with it.

// awakeSysmon is the GODEBUG setting main adds.
const awakeSysmon = "schedtrace=2147483647"

// withAwakeSysmon returns environ with awakeSysmon added to GODEBUG, or nil
// when GODEBUG already sets schedtrace, to any value: an operator who sets
// GODEBUG=schedtrace=0 keeps Go's default.
func withAwakeSysmon(environ []string) []string {
	out := make([]string, 0, len(environ)+1)
	godebug := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			godebug = v // the last one counts, as for os.Getenv
			continue
		}
		out = append(out, kv)
	}
	for setting := range strings.SplitSeq(godebug, ",") {
		if strings.HasPrefix(strings.TrimSpace(setting), "schedtrace=") {
			return nil
		}
	}
	if godebug != "" {
		return append(out, "GODEBUG="+godebug+","+awakeSysmon)
	}
	return append(out, "GODEBUG="+awakeSysmon)
}
