// Command wiretime tells how long a proxy took to forward each event of a
// stream run, as the kernel saw it: from the upstream's write of the event
// (its packet on the loopback, towards the proxy) to the proxy's write of
// the same event (its packet towards the client). Unlike the delay that
// bench/streams measures at the client, it leaves out how soon the client
// itself gets to read: on a virtual machine, the wake-up of an idle core
// alone can take milliseconds, for the direct run as for any proxy.
//
// It reads a capture of the run, taken with nanosecond stamps:
//
//	tcpdump -i lo -s 512 --time-stamp-precision nano -w run.pcap \
//	  'tcp src port 27181 or tcp src port 27185'
//	wiretime -pcap run.pcap -upstream-port 27181 -proxy-port 27185 -window FILE
//
// Events are told apart by the write time bench/upstream stamps in each
// ("sent_ns"); -window (written by bench/streams -window) keeps those the
// upstream wrote while every stream was open.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/model-api-auth0/model-api-auth0/bench/internal/eventdelay"
)

func main() {
	pcap := flag.String("pcap", "", "capture of the run (tcpdump -w, --time-stamp-precision nano)")
	upstreamPort := flag.Int("upstream-port", 0, "TCP port of bench/upstream")
	proxyPort := flag.Int("proxy-port", 0, "TCP port the proxy serves the client on")
	window := flag.String("window", "", "file from bench/streams -window: the span of write times to count")
	limit := flag.Duration("limit", time.Millisecond, "forwarding time to count events against")
	label := flag.String("label", "proxy", "name of the proxy in the output")
	flag.Parse()
	if err := run(*pcap, *window, uint16(*upstreamPort), uint16(*proxyPort), *limit, *label); err != nil {
		fmt.Fprintln(os.Stderr, "wiretime:", err)
		os.Exit(1)
	}
}

func run(pcapPath, windowPath string, upstreamPort, proxyPort uint16, limit time.Duration, label string) error {
	if pcapPath == "" || upstreamPort == 0 || proxyPort == 0 {
		return errors.New("want -pcap, -upstream-port and -proxy-port")
	}
	from, to := int64(0), int64(1<<63-1)
	if windowPath != "" {
		b, err := os.ReadFile(windowPath)
		if err != nil {
			return fmt.Errorf("-window: %w", err)
		}
		if _, err := fmt.Sscan(string(b), &from, &to); err != nil {
			return fmt.Errorf("-window %s: want two Unix times in nanoseconds: %w", windowPath, err)
		}
	}
	f, err := os.Open(pcapPath)
	if err != nil {
		return err
	}
	defer f.Close()
	delays, lost, unmatched, err := forwardingTimes(f, from, to, upstreamPort, proxyPort)
	if err != nil {
		return err
	}
	if len(delays) == 0 {
		return errors.New("no event was seen both from the upstream and from the proxy: wrong ports, or no events in the window")
	}
	fmt.Printf("  forwarding time on the wire (%s: the upstream's packet to the proxy's): %s\n", label, eventdelay.Summarize(delays, limit))
	if lost > 0 || unmatched > 0 {
		fmt.Printf("  (%d events written by the upstream never left the proxy in the capture, %d left it unseen coming in)\n", lost, unmatched)
	}
	fmt.Printf("goal: %-60s %s\n", fmt.Sprintf("p99 forwarding time on the wire under %v", limit), verdict(eventdelay.Percentile(delays, 99) <= limit))
	return nil
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// forwardingTimes matches each event the upstream wrote (source port
// upstreamPort) with the proxy's first write of it (source port proxyPort),
// for the events stamped within [from, to], and returns the time between
// the two packets of each, sorted, with the events the proxy never
// forwarded (lost) and those it forwarded unseen coming in (unmatched).
func forwardingTimes(r io.Reader, from, to int64, upstreamPort, proxyPort uint16) (delays []time.Duration, lost, unmatched int, err error) {
	written := map[int64]int64{} // sent_ns -> capture time of the upstream's packet
	err = readPackets(r, func(at int64, srcPort uint16, payload []byte) {
		for _, sent := range sentStamps(payload) {
			if sent < from || sent > to {
				continue
			}
			switch srcPort {
			case upstreamPort:
				if _, seen := written[sent]; !seen {
					written[sent] = at
				}
			case proxyPort:
				if w, ok := written[sent]; ok {
					delays = append(delays, time.Duration(at-w))
					delete(written, sent)
				} else {
					unmatched++
				}
			}
		}
	})
	slices.Sort(delays)
	return delays, len(written), unmatched, err
}

// sentStamps returns the write times stamped in the whole events of a
// payload (one cut by the snapshot length or the segment is left out).
func sentStamps(p []byte) []int64 {
	var out []int64
	for {
		i := bytes.Index(p, eventdelay.Field)
		if i < 0 {
			return out
		}
		sent, rest, ok, err := eventdelay.Stamp(p, i)
		if !ok && err == nil {
			return out
		}
		if err == nil {
			out = append(out, sent)
			p = rest
		} else {
			p = p[i+len(eventdelay.Field):]
		}
	}
}

// readPackets calls fn with the capture time (Unix ns), TCP source port
// and payload of every IPv4 TCP packet of a pcap file taken on Linux's
// loopback (link type Ethernet).
func readPackets(r io.Reader, fn func(at int64, srcPort uint16, payload []byte)) error {
	var hdr [24]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return fmt.Errorf("pcap header: %w", err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	nanos := true
	switch binary.LittleEndian.Uint32(hdr[:4]) {
	case 0xa1b23c4d:
	case 0xa1b2c3d4:
		nanos = false
	case 0x4d3cb2a1:
		order = binary.BigEndian
	case 0xd4c3b2a1:
		order, nanos = binary.BigEndian, false
	default:
		return errors.New("not a pcap file (tcpdump -w)")
	}
	if lt := order.Uint32(hdr[20:24]); lt != 1 {
		return fmt.Errorf("link type %d: want 1 (Ethernet), as tcpdump -i lo captures on Linux", lt)
	}
	var ph [16]byte
	buf := make([]byte, 1<<16)
	for {
		if _, err := io.ReadFull(r, ph[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("packet header: %w", err)
		}
		sec, frac, n := int64(order.Uint32(ph[0:4])), int64(order.Uint32(ph[4:8])), order.Uint32(ph[8:12])
		if n > uint32(len(buf)) {
			return fmt.Errorf("packet of %d bytes: the file is damaged", n)
		}
		pkt := buf[:n]
		if _, err := io.ReadFull(r, pkt); err != nil {
			return fmt.Errorf("packet: %w", err)
		}
		if !nanos {
			frac *= 1000
		}
		if len(pkt) < 14+20 || binary.BigEndian.Uint16(pkt[12:14]) != 0x0800 {
			continue
		}
		ip := pkt[14:]
		ihl := int(ip[0]&0x0f) * 4
		if ip[9] != 6 || len(ip) < ihl+20 {
			continue
		}
		tcp := ip[ihl:]
		off := int(tcp[12]>>4) * 4
		if len(tcp) < off {
			continue
		}
		fn(sec*1e9+frac, binary.BigEndian.Uint16(tcp[0:2]), tcp[off:])
	}
}
