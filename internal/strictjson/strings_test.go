package strictjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBool(t *testing.T) {
	cases := []struct {
		in       string
		want, ok bool
	}{
		{"true", true, true},
		{"false", false, true},
		// strconv.ParseBool takes these; the Pulumi CLI keeps them strings.
		{"True", false, false},
		{"TRUE", false, false},
		{"1", false, false},
		{"t", false, false},
		{"yes", false, false},
		{" true", false, false},
		{"", false, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := ParseBool(c.in)
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestParseInt(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"7200", 7200, true},
		{"0", 0, true},
		{"-1", -1, true},
		{"+5", 5, true}, // the CLI coerces it to 5 too
		{"9223372036854775807", 9223372036854775807, true},
		{"07200", 0, false}, // the CLI keeps leading zeros: a string
		{"00", 0, false},
		{"9223372036854775808", 0, false}, // overflows int64
		{"7200.0", 0, false},
		{"7e3", 0, false},
		{"7200s", 0, false},
		{" 7200", 0, false},
		{"7_200", 0, false},
		{"0x10", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := ParseInt(c.in)
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

// `pulumi config set --path --type string` (or --secret) stores "7200" and
// "true" as strings; they decode as the number and the boolean, anywhere in
// the value, and other strings are still refused at their path.
func TestDecodeStringForms(t *testing.T) {
	type conn struct {
		Name    string `json:"name"`
		Disable *bool  `json:"disableSignup"`
	}
	type api struct {
		TTL   *int     `json:"tokenLifetime"`
		Count int64    `json:"count"`
		Conns []conn   `json:"conns"`
		Price *float64 `json:"price"`
	}
	cases := []struct {
		name, raw string
		want      api
		problems  []string
	}{
		{
			name: "typed",
			raw:  `{"tokenLifetime":7200,"count":3,"conns":[{"name":"a","disableSignup":true}]}`,
			want: api{TTL: ptr(7200), Count: 3, Conns: []conn{{Name: "a", Disable: ptr(true)}}},
		},
		{
			name: "string forms",
			raw:  `{"tokenLifetime":"7200","count":"-3","conns":[{"name":"a","disableSignup":"false"}]}`,
			want: api{TTL: ptr(7200), Count: -3, Conns: []conn{{Name: "a", Disable: ptr(false)}}},
		},
		{
			name: "other strings",
			raw:  `{"tokenLifetime":"7200s","count":"07","conns":[{"name":"a","disableSignup":"yes"}]}`,
			want: api{Conns: []conn{{Name: "a"}}},
			problems: []string{
				`k.tokenLifetime: want a whole number, got the string "7200s"`,
				`k.count: want a whole number, got the string "07"`,
				`k.conns[a].disableSignup: want true or false, got the string "yes"`,
			},
		},
		{
			name: "numbers",
			raw:  `{"price":0.15}`,
			want: api{Price: ptr(0.15)},
		},
		{
			name: "a number quoted",
			raw:  `{"price":" 2.5"}`,
			want: api{Price: ptr(2.5)},
		},
		{
			name:     "not a number",
			raw:      `{"price":"NaN","count":1}`,
			want:     api{Count: 1},
			problems: []string{`k.price: want a number, got the string "NaN"`},
		},
		{
			name:     "a number is not a string",
			raw:      `{"conns":[{"name":7200}]}`,
			want:     api{Conns: []conn{{}}},
			problems: []string{`k.conns[0].name: want a string, got the number 7200`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got api
			problems := Decode("k", c.raw, &got)
			var msgs []string
			for _, p := range problems {
				msgs = append(msgs, p.String())
				assert.True(t, p.Unread, "%s: a value of the wrong kind is unread", p.Path)
			}
			require.Equal(t, c.problems, msgs)
			assert.Equal(t, c.want, got)
		})
	}
}

func ptr[T any](v T) *T { return &v }
