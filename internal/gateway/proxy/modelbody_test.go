package proxy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRequestModel(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       string
		found      bool
		err        error
	}{
		{"plain", `{"model":"bench-a","messages":[]}`, "bench-a", true, nil},
		{"escaped value", `{"model":"bench\u002da"}`, "bench-a", true, nil},
		{"escaped key", `{"mod\u0065l":"m"}`, "m", true, nil},
		{"unicode", `{"model":"modèle-ü"}`, "modèle-ü", true, nil},
		{"invalid UTF-8 becomes U+FFFD", "{\"model\":\"a\xffb\"}", "a\uFFFDb", true, nil},
		{"nested model is not it", `{"x":{"model":"n"},"model":"top"}`, "top", true, nil},
		{"no model", `{"messages":[]}`, "", false, nil},
		{"not an object", `model=x`, "", false, nil},
		{"twice", `{"model":"a","model":"b"}`, "", false, errModelTwice},
		{"twice, once escaped", `{"model":"a","mod\u0065l":"a"}`, "", false, errModelTwice},
		{"not text", `{"model":1}`, "", false, errModelNotText},
		{"invalid JSON", `{"model":"a"`, "", false, errBodyNotJSON},
		{"trailing bytes", `{"model":"a"} x`, "", false, errBodyNotJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, found, err := requestModel([]byte(c.body))
			assert.Equal(t, c.err, err)
			assert.Equal(t, c.found, found)
			assert.Equal(t, c.want, name)
		})
	}
}

// unquote's fast path gives encoding/json's answer for every JSON string.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{"bench-a", `bench\u002da`, "modèle", "a\xffb", "\xed\xa0\x80", `\ud800`, `\"`, "\u2028"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, inner []byte) {
		quoted := append(append([]byte{'"'}, inner...), '"')
		if !json.Valid(quoted) {
			return // requestModel only unquotes what json.Valid accepted
		}
		var want string
		wantErr := json.Unmarshal(quoted, &want)
		got, ok := unquote(quoted)
		if ok != (wantErr == nil) || got != want {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q, %v", quoted, got, ok, want, wantErr)
		}
	})
}

// The model of a chat completion's body, as bench/deployed.sh sends it.
func BenchmarkRequestModel(b *testing.B) {
	body := []byte(`{"model":"bench-a","messages":[{"role":"user","content":"Say ok."}],"max_tokens":1}`)
	b.ReportAllocs()
	for b.Loop() {
		if name, _, _ := requestModel(body); name != "bench-a" {
			b.Fatal(name)
		}
	}
}
