package ledger

import (
	"context"
	"errors"
)

// Ledger is what the gateway holds: the database, and the Recorder writing
// to it. It records (Record), counts (it is a prometheus.Collector), and
// answers reports (DB).
type Ledger struct {
	*Recorder
	DB *DB
}

// Start opens the database named by dsn (see Open) and starts recording.
func Start(ctx context.Context, dsn string, opts Options) (*Ledger, error) {
	db, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &Ledger{Recorder: NewRecorder(db, opts), DB: db}, nil
}

// Close writes every row held (see Recorder.Close), then closes the
// database. Call it after the server has drained its requests.
func (l *Ledger) Close(ctx context.Context) error {
	return errors.Join(l.Recorder.Close(ctx), l.DB.Close())
}
