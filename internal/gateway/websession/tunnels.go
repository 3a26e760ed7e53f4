package websession

import (
	"context"
	"errors"
	"sync"
	"time"
)

// defaultTunnelCheck is how often an open tunnel checks that its session
// is still stored: another replica may have ended it.
const defaultTunnelCheck = 5 * time.Second

// errTunnelSessionEnded ends a tunnel whose session ended.
var errTunnelSessionEnded = errors.New("the session the tunnel was opened with ended")

// tunnels are the tunnels (WebSocket, ...) open with a session, by the
// session's hashID. Each ends with its session: at once when the session
// ends in this process (destroy), within every when it ends elsewhere (a
// logout on another replica, its expiry). The proxy closes both
// connections of a tunnel when its request's context ends.
type tunnels struct {
	every time.Duration

	mu   sync.Mutex
	open map[string]map[*tunnel]struct{}
}

type tunnel struct{ end context.CancelCauseFunc }

func newTunnels() *tunnels {
	return &tunnels{every: defaultTunnelCheck, open: map[string]map[*tunnel]struct{}{}}
}

// openTunnel returns the context of a tunnel opened with session id, and
// the function to call once the tunnel is closed.
func (w *Web) openTunnel(ctx context.Context, id string) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	t, key := &tunnel{end: cancel}, hashID(id)
	w.tunnels.mu.Lock()
	if w.tunnels.open[key] == nil {
		w.tunnels.open[key] = map[*tunnel]struct{}{}
	}
	w.tunnels.open[key][t] = struct{}{}
	every := w.tunnels.every
	w.tunnels.mu.Unlock()
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				// A store that fails says nothing of the session: the tunnel stays.
				if _, _, err := w.stored(ctx, id); errors.Is(err, ErrSessionEnded) {
					cancel(errTunnelSessionEnded)
				}
			}
		}
	}()
	return ctx, func() {
		cancel(nil)
		w.tunnels.mu.Lock()
		defer w.tunnels.mu.Unlock()
		if delete(w.tunnels.open[key], t); len(w.tunnels.open[key]) == 0 {
			delete(w.tunnels.open, key)
		}
	}
}

// ended ends the tunnels of session id, which has ended in this process.
func (ts *tunnels) ended(id string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for t := range ts.open[hashID(id)] {
		t.end(errTunnelSessionEnded)
	}
}

// destroy ends the session of ctx: its record, and its tunnels.
func (w *Web) destroy(ctx context.Context) error {
	id := w.sm.Token(ctx)
	if err := w.sm.Destroy(ctx); err != nil {
		return err
	}
	w.tunnels.ended(id)
	return nil
}
