// Command streams holds many server-sent-event streams open through a
// proxy at once and measures what a model gateway must get right with
// them: how long each event takes from the upstream's write to the client
// (bench/upstream stamps every event with its write time; same machine,
// same clock), the proxy's memory with none and with all streams open, and
// whether its goroutines and sockets come back down once they close.
//
//	streams -url http://127.0.0.1:27185 -token-file DIR/token -pid 1234 \
//	  -metrics http://127.0.0.1:9090/metrics -streams 2000
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/model-api-auth0/model-api-auth0/bench/internal/eventdelay"
)

type options struct {
	url, upstreamURL, tokenFile, metricsURL, label string
	save, baseline, window                         string
	streams, pid                                   int
	interval, hold, settle, limit                  time.Duration
	cancel                                         float64
	goals                                          bool
	maxKiB                                         float64
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "base URL of the proxy (or of the upstream, for the direct baseline)")
	flag.StringVar(&o.upstreamURL, "upstream", "", "base URL of bench/upstream, told to end the streams (default: -url)")
	flag.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token; none for the direct baseline")
	flag.StringVar(&o.metricsURL, "metrics", "", "Prometheus endpoint of the proxy, for go_goroutines")
	flag.StringVar(&o.label, "label", "gateway", "name of this run in the output")
	flag.IntVar(&o.streams, "streams", 2000, "streams held open at once")
	flag.IntVar(&o.pid, "pid", 0, "process ID of the proxy, for its RSS and open files")
	flag.DurationVar(&o.interval, "interval", 100*time.Millisecond, "time between two events of a stream")
	flag.DurationVar(&o.hold, "hold", 5*time.Second, "how long all streams stay open once they all are")
	flag.DurationVar(&o.settle, "settle", 30*time.Second, "how long to wait for goroutines and open files to come back down (idle upstream connections live up to the proxy's idle timeout: 4 s for the gateway)")
	flag.DurationVar(&o.limit, "limit", time.Millisecond, "per-event delay to count events against")
	flag.Float64Var(&o.cancel, "cancel", 0.25, "fraction of streams the client walks away from; the upstream ends the others")
	flag.BoolVar(&o.goals, "goals", false, "say whether the goals hold: p99 delay under -limit, memory per stream under -max-kib, back to the start")
	flag.Float64Var(&o.maxKiB, "max-kib", 64, "memory per open stream the goal allows, in KiB")
	flag.StringVar(&o.save, "save", "", "file to save this run's delay percentiles to, as the -baseline of another run")
	flag.StringVar(&o.baseline, "baseline", "", "file saved by -save of the direct run: also print the delay this run adds to it")
	flag.StringVar(&o.window, "window", "", "file to write the span of the hold to (Unix ns, from and to), for bench/wiretime")
	flag.Parse()
	if o.upstreamURL == "" {
		o.upstreamURL = o.url
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "streams:", err)
		os.Exit(1)
	}
}

func isLoopbackURL(u string) bool {
	return strings.HasPrefix(u, "http://127.") || strings.HasPrefix(u, "http://localhost:")
}

func run(o options) error {
	var problems []error
	for _, u := range []string{o.url, o.upstreamURL} {
		if !isLoopbackURL(u) {
			problems = append(problems, fmt.Errorf("-url and -upstream %q: want a loopback base URL such as http://127.0.0.1:27185", u))
		}
	}
	if o.streams < 1 || o.interval <= 0 || o.hold <= 0 || o.cancel < 0 || o.cancel > 1 {
		problems = append(problems, errors.New("want -streams >= 1, -interval > 0, -hold > 0 and 0 <= -cancel <= 1"))
	}
	auth := ""
	if o.tokenFile != "" {
		tok, err := os.ReadFile(o.tokenFile)
		if err != nil {
			problems = append(problems, fmt.Errorf("-token-file: %w", err))
		}
		auth = "Bearer " + strings.TrimSpace(string(tok))
	}
	if err := errors.Join(problems...); err != nil {
		return err
	}
	// One connection per stream, closed when it ends, as separate clients would.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true, MaxResponseHeaderBytes: 64 << 10}}

	// A first short stream loads the proxy's keys and token cache.
	if _, err := stream(context.Background(), client, o.url+"/v1/chat/completions?events=2&interval=1ms", auth, nil); err != nil {
		return fmt.Errorf("warm-up stream: %w", err)
	}
	time.Sleep(200 * time.Millisecond)
	before := takeSample(o.pid, o.metricsURL)

	h := newHerd(o.streams)
	streamURL := fmt.Sprintf("%s/v1/chat/completions?events=0&interval=%s", o.url, o.interval)
	started := time.Now()
	for i := range o.streams {
		h.start(i, client, streamURL, auth)
	}
	allOpen := h.waitOpen(time.Minute)
	openAt := time.Since(started)
	// A sample reads the proxy's metrics, which costs it CPU on its one
	// core: none is taken while the events count, or the proxy rows would
	// pay for a scrape the direct row never makes.
	atOpen := takeSample(o.pid, o.metricsURL)
	time.Sleep(200 * time.Millisecond)
	h.steady.Store(true)
	cpuFrom := cpuTicks(o.pid)
	holdFrom := time.Now()
	time.Sleep(o.hold)
	h.steady.Store(false)
	if o.window != "" {
		if err := os.WriteFile(o.window, fmt.Appendf(nil, "%d %d\n", holdFrom.UnixNano(), time.Now().UnixNano()), 0o644); err != nil {
			return fmt.Errorf("-window: %w", err)
		}
	}
	cpuTo := cpuTicks(o.pid)
	nowOpen := h.open.Load()
	held := takeSample(o.pid, o.metricsURL)

	walkedAway := h.walkAway(o.cancel)
	time.Sleep(200 * time.Millisecond)
	if err := finishStreams(client, o.upstreamURL); err != nil {
		return err
	}
	if !waitTimeout(&h.done, time.Minute) {
		return fmt.Errorf("%d streams still open a minute after the upstream ended them", h.open.Load())
	}
	client.CloseIdleConnections()
	time.Sleep(time.Second)
	afterClose := takeSample(o.pid, o.metricsURL)
	settled, waited := settle(o, before)

	fmt.Printf("== %s: %d streams, one event every %v each (%.0f events/s); %d closed by the client, the rest by the upstream\n",
		o.label, o.streams, o.interval, float64(o.streams)/o.interval.Seconds(), walkedAway)
	steady := h.delays(true)
	fmt.Printf("  per-event delay, all %d open (%v): %s\n", nowOpen, o.hold, eventdelay.Summarize(steady, o.limit))
	compare(o, delaysOf(o.label, steady))
	if cpuFrom >= 0 && cpuTo >= 0 && len(steady) > 0 {
		cpu := time.Duration(cpuTo-cpuFrom) * clockTick
		fmt.Printf("  CPU of the process while all were open: %v, %.1f us per event\n", cpu, float64(cpu.Microseconds())/float64(len(steady)))
	}
	if atOpen.gcs >= 0 && held.gcs >= 0 {
		// Each marks every goroutine stack and the heap, on the process's
		// one core: events that come meanwhile wait longer.
		fmt.Printf("  garbage collections while all were open: %d\n", held.gcs-atOpen.gcs)
	}
	fmt.Printf("  per-event delay, while opening (%v):  %s\n", openAt.Round(time.Millisecond), eventdelay.Summarize(h.delays(false), o.limit))
	fmt.Printf("  failed streams: %d %s\n", h.failed.Load(), h.firstErr)
	row := func(what string, s sample) { fmt.Printf("  %-30s %v\n", what+":", s) }
	row("at 0 streams", before)
	row(fmt.Sprintf("at %d open", allOpen), atOpen)
	row(fmt.Sprintf("at %d open, %v later", nowOpen, o.hold), held)
	perStream := -1.0
	if before.rssKiB > 0 && held.rssKiB > 0 && nowOpen > 0 {
		perStream = float64(held.rssKiB-before.rssKiB) / float64(nowOpen)
		fmt.Printf("  memory per open stream: %.1f KiB (RSS growth / open streams), %.1f KiB at the peak RSS\n",
			perStream, float64(held.peakKiB-before.rssKiB)/float64(nowOpen))
	}
	if before.goKiB() > 0 && held.goKiB() > 0 && nowOpen > 0 {
		// RSS misses what a fresh process has allocated but never touched
		// (most of a large buffer); a gateway that has run a while has
		// touched its heap. Go's own count has no such blind spot, and
		// includes garbage not yet collected.
		fmt.Printf("  Go heap in use + goroutine stacks per open stream: %.1f KiB (growth / open streams)\n",
			float64(held.goKiB()-before.goKiB())/float64(nowOpen))
	}
	row("1 s after the last closed", afterClose)
	back := "back to the start"
	if !settledBack(settled, before) {
		back = "NOT back to the start"
	}
	row(fmt.Sprintf("%s after %v", back, (time.Second+waited).Round(100*time.Millisecond)), settled)
	if o.goals {
		// At the client, the delay also counts the driver's own wake-up: an
		// upper bound of the forwarding time (bench/wiretime measures it).
		goal(fmt.Sprintf("p99 delay at the client, all %d open, under %v", nowOpen, o.limit), len(steady) > 0 && eventdelay.Percentile(steady, 99) <= o.limit)
		goal(fmt.Sprintf("memory per open stream under %.0f KiB", o.maxKiB), perStream >= 0 && perStream < o.maxKiB)
		goal("goroutines and open files back to the start", settledBack(settled, before) && settled.goroutines >= 0)
	}
	if n := h.failed.Load(); n > 0 || allOpen < int64(o.streams) {
		return fmt.Errorf("%d of %d streams failed, %d were open at once", n, o.streams, allOpen)
	}
	return nil
}

// compare saves this run's delays for later runs (-save) and prints what
// it adds to the direct run (-baseline).
func compare(o options, d delays) {
	if o.save != "" {
		if err := d.save(o.save); err != nil {
			fmt.Printf("  delays not saved: %v\n", err)
		}
	}
	if o.baseline == "" {
		return
	}
	base, err := loadDelays(o.baseline)
	if err != nil {
		fmt.Printf("  delay added: no baseline to compare with: %v\n", err)
		return
	}
	fmt.Printf("  delay added over %q (this run's percentile minus its): %s\n", base.Label, d.addedOver(base))
}

func goal(text string, met bool) {
	verdict := "MISSED"
	if met {
		verdict = "met"
	}
	fmt.Printf("goal: %-60s %s\n", text, verdict)
}

// finishStreams tells bench/upstream to end every open stream.
func finishStreams(client *http.Client, upstream string) error {
	resp, err := client.Post(upstream+"/bench/finish", "text/plain", nil)
	if err != nil {
		return fmt.Errorf("ending the streams: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ending the streams: %s answered %d; is it bench/upstream?", upstream, resp.StatusCode)
	}
	return nil
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	c := make(chan struct{})
	go func() { wg.Wait(); close(c) }()
	select {
	case <-c:
		return true
	case <-time.After(d):
		return false
	}
}

// settle waits until the proxy's goroutines and open files are back to
// what they were before the streams, or -settle has passed. It looks twice
// a second: each look at the metrics costs the process some garbage.
func settle(o options, before sample) (sample, time.Duration) {
	start := time.Now()
	for {
		s := takeSample(o.pid, o.metricsURL)
		if settledBack(s, before) || time.Since(start) >= o.settle {
			return s, time.Since(start)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// settledBack tells whether the goroutines and open files are no more than
// before the streams (idle upstream connections the proxy keeps in its pool
// count until its idle timeout closes them).
func settledBack(s, before sample) bool {
	return (s.goroutines < 0 || s.goroutines <= before.goroutines) && (s.fds < 0 || s.fds <= before.fds)
}

// stream reads one event stream until "data: [DONE]", telling onEvent (if
// not nil) each event's delay, and returns how many events came.
func stream(ctx context.Context, client *http.Client, url, auth string, onEvent func(time.Duration)) (events int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"model":"bench7b","stream":true}`))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	r := bufio.NewReaderSize(resp.Body, 1024)
	for {
		line, err := r.ReadSlice('\n')
		now := time.Now()
		if i := bytes.Index(line, eventdelay.Field); i >= 0 {
			sent, _, ok, perr := eventdelay.Stamp(line, i)
			if perr != nil {
				return events, perr
			}
			if !ok {
				return events, fmt.Errorf("event without a closing brace: %q", line)
			}
			events++
			if onEvent != nil {
				onEvent(now.Sub(time.Unix(0, sent)))
			}
		}
		if bytes.HasPrefix(line, []byte("data: [DONE]")) {
			return events, nil
		}
		if err != nil {
			return events, fmt.Errorf("stream ended before [DONE] after %d events: %w", events, err)
		}
	}
}
