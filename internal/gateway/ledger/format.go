package ledger

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// Formats are the ways a report can be written.
var Formats = []string{"table", "csv", "json"}

// WriteReport writes totals grouped by by, as a table for people, CSV for
// spreadsheets or JSON (an array of Total) for programs.
func WriteReport(w io.Writer, format string, by []Dimension, totals []Total) error {
	switch format {
	case "json":
		if totals == nil {
			totals = []Total{} // [] rather than null
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(totals)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(header(by))
		for i := range totals {
			cw.Write(record(by, &totals[i]))
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		writeTabbed(tw, header(by))
		var sum Total
		for i := range totals {
			writeTabbed(tw, record(by, &totals[i]))
			sum.add(&totals[i])
		}
		if len(by) > 0 && len(totals) > 1 {
			total := record(by, &sum)
			total[0] = "total"
			writeTabbed(tw, total)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown format %q: use table, csv or json", format)
}

func header(by []Dimension) []string {
	h := make([]string, 0, len(by)+6)
	for _, d := range by {
		h = append(h, string(d))
	}
	return append(h, "calls", "errors", "unmetered", "input_tokens", "output_tokens", "cost")
}

func record(by []Dimension, t *Total) []string {
	r := make([]string, 0, len(by)+6)
	for _, d := range by {
		r = append(r, *t.field(d))
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return append(r, i(t.Calls), i(t.Errors), i(t.Unmetered), i(t.InputTokens), i(t.OutputTokens), Cost(t.CostMicros))
}

func writeTabbed(w io.Writer, cells []string) {
	for _, c := range cells {
		io.WriteString(w, c+"\t")
	}
	io.WriteString(w, "\n")
}

func (t *Total) add(o *Total) {
	t.Calls += o.Calls
	t.Errors += o.Errors
	t.Unmetered += o.Unmetered
	t.InputTokens += o.InputTokens
	t.OutputTokens += o.OutputTokens
	t.CostMicros += o.CostMicros
}

// Cost writes millionths as a decimal with six places ("1.250000").
func Cost(micros int64) string {
	sign := ""
	if micros < 0 {
		sign, micros = "-", -micros
	}
	return fmt.Sprintf("%s%d.%06d", sign, micros/1_000_000, micros%1_000_000)
}
