package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A stream's events stay on the grid of the phase it drew, however late
// one of them went out.
func TestNextSlotKeepsThePhase(t *testing.T) {
	start := time.Unix(1000, 300*int64(time.Millisecond)) // the phase: .3 s
	for _, tc := range []struct {
		name     string
		due, now time.Time
		want     time.Time
	}{
		{"on time", start, start, start.Add(time.Second)},
		{"a little late", start, start.Add(40 * time.Millisecond), start.Add(time.Second)},
		{"late by more than an interval: the missed slot is skipped", start, start.Add(1500 * time.Millisecond), start.Add(2 * time.Second)},
		{"woken early", start.Add(time.Second), start.Add(900 * time.Millisecond), start.Add(time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextSlot(tc.due, tc.now, time.Second); !got.Equal(tc.want) {
				t.Errorf("nextSlot = %v, want %v", got.Sub(start), tc.want.Sub(start))
			}
		})
	}
}

// A chat completion gets the JSON answer with its usage unless it asks for
// a stream, in its body or in the query.
func TestServeChatStreamsOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		name, query, body, wantType string
	}{
		{"no stream", "", `{"model":"bench-a","messages":[]}`, "application/json"},
		{"stream false", "", `{"model":"bench-a","stream":false}`, "application/json"},
		{"stream in the body", "", `{"model":"bench-a","stream":true}`, "text/event-stream"},
		{"events in the query", "?events=1", `{}`, "text/event-stream"},
		{"interval in the query", "?interval=1ms", `{}`, "text/event-stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions"+tc.query, strings.NewReader(tc.body))
			// A stream ends when its caller goes: at once, after its header.
			ctx, cancel := context.WithCancel(r.Context())
			cancel()
			r = r.WithContext(ctx)
			w := httptest.NewRecorder()
			serveChat(w, r)
			if got := w.Header().Get("Content-Type"); got != tc.wantType {
				t.Fatalf("Content-Type %q, want %q (body %q)", got, tc.wantType, w.Body.String())
			}
			if tc.wantType == "application/json" && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("not JSON: %q", w.Body.String())
			}
		})
	}
}
