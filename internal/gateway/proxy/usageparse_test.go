package proxy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The usage objects model servers send take the fast path, and the rest go
// to encoding/json with the same answer.
func TestParseUsage(t *testing.T) {
	cases := []struct {
		name, in string
		fast     bool // parseFlatUsage answers
		want     usage
		found    bool
	}{
		{"openai", `{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`, true, usage{PromptTokens: 9, CompletionTokens: 12, TotalTokens: 21}, true},
		{"vllm", `{"prompt_tokens":8,"total_tokens":9,"completion_tokens":1,"prompt_tokens_details":null}`, true, usage{PromptTokens: 8, CompletionTokens: 1, TotalTokens: 9}, true},
		{"embeddings", `{"prompt_tokens":8,"total_tokens":8}`, true, usage{PromptTokens: 8, TotalTokens: 8}, true},
		{"spaced", " {\n \"total_tokens\" : 5 ,\t\"x\":true } ", true, usage{TotalTokens: 5}, true},
		{"empty", `{}`, true, usage{}, true},
		{"negative", `{"prompt_tokens":-50,"completion_tokens":2}`, true, usage{PromptTokens: -50, CompletionTokens: 2}, true},
		{"repeated key: the last", `{"total_tokens":1,"total_tokens":2}`, true, usage{TotalTokens: 2}, true},
		{"key in another case", `{"Total_Tokens":7}`, false, usage{TotalTokens: 7}, true},
		{"escaped key", `{"total\u005ftokens":7}`, false, usage{TotalTokens: 7}, true},
		{"string value", `{"total_tokens":3,"model":"m"}`, false, usage{TotalTokens: 3}, true},
		{"known key null", `{"total_tokens":3,"total_tokens":null}`, false, usage{TotalTokens: 3}, true},
		{"fraction", `{"total_tokens":1.5}`, false, usage{}, false},
		{"past int64", `{"total_tokens":9223372036854775808}`, false, usage{}, false},
		{"leading zero", `{"total_tokens":01}`, false, usage{}, false},
		{"trailing comma", `{"total_tokens":1,}`, false, usage{}, false},
		{"cut short", `{"total_tokens":1`, false, usage{}, false},
		{"trailing bytes", `{"total_tokens":1} x`, false, usage{}, false},
		{"an array", `[1]`, false, usage{}, false},
		{"responses", `{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}`, true,
			usage{InputTokens: 36, OutputTokens: 87, TotalTokens: 123}, true},
		{"deep nesting", `{"a":{"b":{"c":1}},"total_tokens":4}`, false, usage{TotalTokens: 4}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fast := parseFlatUsage([]byte(c.in))
			assert.Equal(t, c.fast, fast, "fast path")
			u, found := parseUsage([]byte(c.in))
			assert.Equal(t, c.found, found)
			assert.Equal(t, c.want, u)
		})
	}
}

// Whenever the fast path answers, encoding/json gives the same answer.
func FuzzParseFlatUsage(f *testing.F) {
	for _, s := range []string{
		`{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}`,
		`{"prompt_tokens":8,"total_tokens":9,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":0}}`,
		`{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123}`,
		`{"PROMPT_TOKENS":1}`, `{"Input_Tokens":1}`, `{"total_tokens":-0}`, `{"x":null,"y":false}`, `{"total_tokens":1,"total_tokens":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseFlatUsage(b)
		if !ok {
			return
		}
		var want *usage
		if err := json.Unmarshal(b, &want); err != nil || want == nil {
			t.Fatalf("parseFlatUsage(%q) = %+v; encoding/json: %v, %v", b, got, want, err)
		}
		if got != *want {
			t.Fatalf("parseFlatUsage(%q) = %+v; encoding/json %+v", b, got, *want)
		}
	})
}

// The usage object of a chat completion, read by the fast path and by
// encoding/json.
func BenchmarkParseUsage(b *testing.B) {
	in := []byte(`{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0}}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := parseUsage(in); !ok {
				b.Fatal("no usage")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var u *usage
			if err := json.Unmarshal(in, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
}
