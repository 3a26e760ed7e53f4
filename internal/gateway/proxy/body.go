package proxy

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// DefaultMaxBody is the largest request body a route accepts unless its
// maxBody says otherwise: room for a long chat history, not for uploads.
const DefaultMaxBody ByteSize = 4 << 20

// ByteSize is a size in bytes, written in a routes file as a number of
// bytes or with a unit: 512KiB, 4MiB, 1GiB.
type ByteSize int64

var byteUnits = []struct {
	suffix string
	size   ByteSize
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// ParseByteSize reads "4MiB", "512KiB" or "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	num, unit := strings.TrimSpace(s), ByteSize(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(n), u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/int64(unit) {
		return 0, fmt.Errorf("%q: want a positive size such as 4MiB, 512KiB or 1048576 (bytes)", s)
	}
	return ByteSize(n) * unit, nil
}

// String writes b with the largest unit that divides it, as ParseByteSize
// reads it back: 4MiB, 1536B.
func (b ByteSize) String() string {
	for _, u := range byteUnits {
		if b != 0 && b%u.size == 0 {
			return strconv.FormatInt(int64(b/u.size), 10) + u.suffix
		}
	}
	return "0"
}

func (b *ByteSize) UnmarshalYAML(node *yaml.Node) error {
	size, err := ParseByteSize(node.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	*b = size
	return nil
}

// limitBody answers 413 to a body larger than limit: at once when its
// Content-Length says so, otherwise when reading passes the limit.
func limitBody(limit ByteSize, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > int64(limit) {
			tooLarge(w, r, int64(limit))
			return
		}
		if hasBody(r) {
			r.Body = http.MaxBytesReader(w, r.Body, int64(limit))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	refusedBecause(r, fmt.Sprintf("body over %d bytes", limit))
	guard.CloseUnreadBody(w, r)
	guard.WriteJSONError(w, http.StatusRequestEntityTooLarge,
		fmt.Sprintf("the request body is larger than this route accepts (%d bytes; a route's maxBody in the routes file sets it)", limit))
}

// bodyError answers a failure to read the request body: 413 past the
// limit, 408 past the read timeout, 400 otherwise (a broken body).
func bodyError(w http.ResponseWriter, r *http.Request, err error) {
	if tooBig, ok := errors.AsType[*http.MaxBytesError](err); ok {
		tooLarge(w, r, tooBig.Limit)
		return
	}
	refusedBecause(r, "request body: "+err.Error())
	guard.CloseUnreadBody(w, r)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		guard.WriteJSONError(w, http.StatusRequestTimeout, "the request body did not arrive within the read timeout")
		return
	}
	guard.WriteJSONError(w, http.StatusBadRequest, "the request body could not be read")
}
