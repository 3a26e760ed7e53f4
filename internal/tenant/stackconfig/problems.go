package stackconfig

import (
	"fmt"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
)

// ValidationError lists every problem of a configuration.
type ValidationError struct {
	Problems []strictjson.Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s):", ErrInvalidConfig, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	b.WriteString("\nhint: fix these keys in Pulumi.<stack>.yaml (or with `pulumi config set`), then run `go run . plan` to check")
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrInvalidConfig }

// within reports whether path is at or below the path under.
func within(path, under string) bool {
	rest, ok := strings.CutPrefix(path, under)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}
