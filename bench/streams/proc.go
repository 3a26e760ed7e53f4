package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// sample is what the process under test holds at one moment. A field is
// -1 when it cannot be had (no -pid, no -metrics).
type sample struct {
	rssKiB, peakKiB int64 // VmRSS and VmHWM of /proc/PID/status
	fds             int64 // open file descriptors: sockets in and out
	goroutines      int64 // go_goroutines of the metrics endpoint
	heapKiB         int64 // go_memstats_heap_inuse_bytes: Go's heap, live objects and garbage
	stackKiB        int64 // go_memstats_stack_inuse_bytes: goroutine stacks
	gcs             int64 // go_gc_duration_seconds_count: garbage collections so far
}

func (s sample) String() string {
	str := fmt.Sprintf("RSS %s (peak %s), %s fds, %s goroutines", kib(s.rssKiB), kib(s.peakKiB), num(s.fds), num(s.goroutines))
	if s.goKiB() > 0 {
		str += fmt.Sprintf("; Go heap %s, stacks %s", kib(s.heapKiB), kib(s.stackKiB))
	}
	return str
}

// goKiB is Go's heap and stacks, or -1 unknown.
func (s sample) goKiB() int64 {
	if s.heapKiB < 0 || s.stackKiB < 0 {
		return -1
	}
	return s.heapKiB + s.stackKiB
}

func takeSample(pid int, metricsURL string) sample {
	s := sample{-1, -1, -1, -1, -1, -1, -1}
	if pid > 0 {
		s.rssKiB, s.peakKiB = procStatus(pid, "VmRSS:"), procStatus(pid, "VmHWM:")
		if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
			s.fds = int64(len(ents))
		}
	}
	if metricsURL != "" {
		m := scrape(metricsURL, "go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_gc_duration_seconds_count")
		s.goroutines, s.heapKiB, s.stackKiB, s.gcs = m[0], m[1]/1024, m[2]/1024, m[3]
	}
	return s
}

// procStatus reads one "Key: N kB" line of /proc/PID/status.
func procStatus(pid int, key string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// cpuTicks reads utime+stime (fields 14 and 15) of /proc/PID/stat.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return utime + stime
}

// clockTick is USER_HZ, the unit of /proc/PID/stat times on Linux.
const clockTick = 10 * time.Millisecond

// metricsClient asks for the metrics uncompressed: gzip would cost the
// process under test more for each scrape, and the driver scrapes it
// often while waiting for it to settle.
var metricsClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}

// scrape reads the named gauges from a Prometheus text endpoint, -1 for
// each it could not read.
func scrape(url string, names ...string) []int64 {
	values := make([]int64, len(names))
	for i := range values {
		values[i] = -1
	}
	resp, err := metricsClient.Get(url)
	if err != nil {
		return values
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	for line := range bytes.Lines(body) {
		for i, name := range names {
			if rest, ok := bytes.CutPrefix(line, []byte(name+" ")); ok {
				if f, err := strconv.ParseFloat(string(bytes.TrimSpace(rest)), 64); err == nil {
					values[i] = int64(f)
				}
			}
		}
	}
	return values
}

func kib(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/1024)
}

func num(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return strconv.FormatInt(n, 10)
}
