package guard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

type shaper struct {
	http.ResponseWriter
	body any
}

func (s *shaper) ErrorBody(int, string) any { return s.body }

type wrapper struct{ http.ResponseWriter }

func (w *wrapper) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// A shaper found through the wrappers' Unwrap chain gives the body; one
// that returns nil, or none at all, leaves {"message": ...}.
func TestWriteJSONErrorTakesTheShapersBody(t *testing.T) {
	for _, c := range []struct {
		name string
		wrap func(http.ResponseWriter) http.ResponseWriter
		want string
	}{
		{"no shaper", func(w http.ResponseWriter) http.ResponseWriter { return &wrapper{w} }, `{"message":"no"}`},
		{"shaper under a wrapper", func(w http.ResponseWriter) http.ResponseWriter {
			return &wrapper{&shaper{w, map[string]string{"error": "no"}}}
		}, `{"error":"no"}`},
		{"shaper keeping the default", func(w http.ResponseWriter) http.ResponseWriter { return &shaper{w, nil} }, `{"message":"no"}`},
	} {
		rec := httptest.NewRecorder()
		WriteJSONError(c.wrap(rec), http.StatusForbidden, "no")
		if got := rec.Body.String(); got != c.want+"\n" || rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d %q, want %q", c.name, rec.Code, got, c.want)
		}
	}
}
