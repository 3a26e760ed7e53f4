package main

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// pcapOf writes a nanosecond pcap of IPv4 TCP packets on Ethernet, as
// tcpdump -i lo does.
func pcapOf(packets ...packet) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b23c4d)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 512)
	le.PutUint32(hdr[20:], 1)
	b.Write(hdr)
	for _, p := range packets {
		frame := make([]byte, 14+20+20)
		binary.BigEndian.PutUint16(frame[12:], 0x0800)
		frame[14] = 0x45 // IPv4, 20-byte header
		frame[14+9] = 6  // TCP
		binary.BigEndian.PutUint16(frame[34:], p.srcPort)
		frame[34+12] = 5 << 4 // 20-byte TCP header
		frame = append(frame, p.payload...)
		ph := make([]byte, 16)
		le.PutUint32(ph[0:], uint32(p.at/1e9))
		le.PutUint32(ph[4:], uint32(p.at%1e9))
		le.PutUint32(ph[8:], uint32(len(frame)))
		le.PutUint32(ph[12:], uint32(len(frame)))
		b.Write(ph)
		b.Write(frame)
	}
	return b.Bytes()
}

type packet struct {
	at      int64
	srcPort uint16
	payload string
}

func TestForwardingTimes(t *testing.T) {
	const up, proxy, other = 27181, 27185, 40000
	ev := func(sent string) string { return `data: {"i":1,"sent_ns":` + sent + "}\n\n" }
	capture := pcapOf(
		packet{1_000_000_000, up, ev("100")},
		packet{1_000_000_500, up, ev("200") + ev("300")},            // two events in one segment
		packet{1_000_000_900, other, ev("100")},                     // neither the upstream nor the proxy
		packet{1_000_300_000, proxy, "a3\r\n" + ev("100") + "\r\n"}, // 300 us after its write
		packet{1_001_000_500, proxy, ev("300") + ev("200")},         // 1 ms each, in another order
		packet{1_001_000_600, proxy, ev("200")},                     // a repeat: counted once
		packet{1_002_000_000, up, ev("400")},                        // never forwarded
		packet{1_002_000_000, proxy, ev("500")},                     // never seen coming in
		packet{1_003_000_000, up, ev("999999")},                     // outside the window
		packet{1_003_000_100, proxy, ev("999999")},
	)
	delays, lost, unmatched, err := forwardingTimes(bytes.NewReader(capture), 0, 1000, up, proxy)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{300 * time.Microsecond, time.Millisecond, time.Millisecond}
	if len(delays) != len(want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("delays %v, want %v", delays, want)
		}
	}
	if lost != 1 || unmatched != 2 {
		t.Errorf("lost %d, unmatched %d; want 1 and 2 (the event never forwarded; the one never seen and the repeat)", lost, unmatched)
	}
}

func TestNotAPcap(t *testing.T) {
	_, _, _, err := forwardingTimes(bytes.NewReader(make([]byte, 24)), 0, 1, 1, 2)
	if err == nil {
		t.Fatal("a file of zeros was read as a capture")
	}
}
