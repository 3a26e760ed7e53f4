package ledger

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

var day1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// known is the report tests' data: two organizations, three people, two
// models, three days, one unmetered call and one error.
func known() []Row {
	r := func(id, org, client, person, model string, day, hour int, in, out, cost int64, status int) Row {
		return Row{RequestID: id, Time: day1.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour), Org: org, Client: client,
			Person: person, Model: model, InputTokens: in, OutputTokens: out, CostMicros: cost, Status: status}
	}
	rows := []Row{
		r("a1", "org_a", "c1", "alice", "llama", 0, 1, 10, 20, 100, 200),
		r("a2", "org_a", "c1", "alice", "llama", 0, 23, 1, 2, 10, 200),
		r("a3", "org_a", "c1", "alice", "qwen", 1, 0, 5, 5, 50, 200),
		r("a4", "org_a", "c2", "bob", "llama", 1, 12, 7, 0, 0, 429),
		r("b1", "org_b", "c3", "carol", "llama", 0, 5, 100, 200, 1000, 200),
		r("b2", "org_b", "c3", "carol", "qwen", 2, 5, 0, 0, 0, 200),
		r("x1", "org_b", "c3", "carol", "qwen", 30, 0, 9, 9, 9, 200), // outside November
	}
	rows[5].Unmetered = true
	return rows
}

func TestUsageGroupsAndFilters(t *testing.T) {
	nov := Filter{From: day1, To: day1.AddDate(0, 1, 0)}
	with := func(f Filter, set func(*Filter)) Filter { set(&f); return f }
	cases := []struct {
		name string
		f    Filter
		by   []Dimension
		want []Total
	}{
		{"everything", Filter{}, nil, []Total{{Calls: 7, Errors: 1, Unmetered: 1, InputTokens: 132, OutputTokens: 236, CostMicros: 1169}}},
		{"november by org", nov, []Dimension{ByOrg}, []Total{
			{Org: "org_a", Calls: 4, Errors: 1, InputTokens: 23, OutputTokens: 27, CostMicros: 160},
			{Org: "org_b", Calls: 2, Unmetered: 1, InputTokens: 100, OutputTokens: 200, CostMicros: 1000}}},
		{"by org and model", nov, []Dimension{ByOrg, ByModel}, []Total{
			{Org: "org_a", Model: "llama", Calls: 3, Errors: 1, InputTokens: 18, OutputTokens: 22, CostMicros: 110},
			{Org: "org_a", Model: "qwen", Calls: 1, InputTokens: 5, OutputTokens: 5, CostMicros: 50},
			{Org: "org_b", Model: "llama", Calls: 1, InputTokens: 100, OutputTokens: 200, CostMicros: 1000},
			{Org: "org_b", Model: "qwen", Calls: 1, Unmetered: 1}}},
		{"one org by day (UTC days)", with(nov, func(f *Filter) { f.Org = "org_a" }), []Dimension{ByDay}, []Total{
			{Day: "2026-11-01", Calls: 2, InputTokens: 11, OutputTokens: 22, CostMicros: 110},
			{Day: "2026-11-02", Calls: 2, Errors: 1, InputTokens: 12, OutputTokens: 5, CostMicros: 50}}},
		{"person and model by client", with(nov, func(f *Filter) { f.Person, f.Model = "alice", "llama" }), []Dimension{ByClient},
			[]Total{{Client: "c1", Calls: 2, InputTokens: 11, OutputTokens: 22, CostMicros: 110}}},
		{"client by person", with(Filter{}, func(f *Filter) { f.Client = "c2" }), []Dimension{ByPerson},
			[]Total{{Person: "bob", Calls: 1, Errors: 1, InputTokens: 7}}},
		{"period boundaries: from is in, to is out", Filter{From: day1.Add(time.Hour), To: day1.Add(5 * time.Hour)}, nil,
			[]Total{{Calls: 1, InputTokens: 10, OutputTokens: 20, CostMicros: 100}}},
		{"nothing matches", with(nov, func(f *Filter) { f.Org = "org_z" }), []Dimension{ByModel}, nil},
		{"nothing matches, no grouping", with(nov, func(f *Filter) { f.Org = "org_z" }), nil, nil},
	}
	eachDB(t, func(t *testing.T, dsn string) {
		db := openT(t, dsn)
		if err := db.WriteRows(context.Background(), known()); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			got, err := db.Usage(context.Background(), c.f, c.by)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
			}
		}
		if _, err := db.Usage(context.Background(), nov, []Dimension{"org; DROP TABLE model_usage"}); err == nil {
			t.Error("an unknown dimension was accepted")
		}
	})
}

func TestParseDimensions(t *testing.T) {
	if by, err := ParseDimensions(" Org, model ,day"); err != nil || !reflect.DeepEqual(by, []Dimension{ByOrg, ByModel, ByDay}) {
		t.Errorf("got %v, %v", by, err)
	}
	for _, bad := range []string{"org,org", "tenant"} {
		if _, err := ParseDimensions(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestWriteReport(t *testing.T) {
	totals := []Total{{Org: "org_a", Calls: 2, InputTokens: 3, CostMicros: 1_250_000}, {Org: "org_b", Calls: 1, Unmetered: 1}}
	by := []Dimension{ByOrg}
	want := map[string]string{
		"csv": "org,calls,errors,unmetered,input_tokens,output_tokens,cost\norg_a,2,0,0,3,0,1.250000\norg_b,1,0,1,0,0,0.000000\n",
		"table": "    org  calls  errors  unmetered  input_tokens  output_tokens      cost\n" +
			"  org_a      2       0          0             3              0  1.250000\n" +
			"  org_b      1       0          1             0              0  0.000000\n" +
			"  total      3       0          1             3              0  1.250000\n",
	}
	for format, w := range want {
		var b bytes.Buffer
		if err := WriteReport(&b, format, by, totals); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("%s:\n%s\nwant\n%s", format, b.String(), w)
		}
	}
	var b bytes.Buffer
	if err := WriteReport(&b, "json", by, nil); err != nil || strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("json of nothing: %q, %v", b.String(), err)
	}
}
