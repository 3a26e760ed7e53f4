package access

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// modelsHeading says what a model cell means: the token carries the
// model's permission, which a request naming the model needs.
var modelsHeading = fmt.Sprintf("Models each principal may call (its tokens grant %sNAME, which a request naming the model needs):", modelperm.Prefix)

// MayCall reports whether the principal's tokens grant the model.
func (p Principal) MayCall(model string) bool { return slices.Contains(p.Models, model) }

// writeModelsText adds the principals-by-models matrix, when the stack
// declares models.
func (t *Table) writeModelsText(b *strings.Builder) {
	if len(t.Models) == 0 {
		return
	}
	b.WriteString("\n" + modelsHeading + "\n")
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(append([]string{"Principal"}, t.Models...), "\t"))
	for _, p := range t.Principals {
		row := []string{p.Name}
		for _, m := range t.Models {
			row = append(row, yesNo(p.MayCall(m)))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// writeModelsMarkdown is the same matrix as a second table.
func (t *Table) writeModelsMarkdown(b *strings.Builder) {
	if len(t.Models) == 0 {
		return
	}
	b.WriteString("\n" + modelsHeading + "\n\n| Principal |")
	for _, m := range t.Models {
		fmt.Fprintf(b, " `%s` |", cell(m))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(t.Models)) + "\n")
	for _, p := range t.Principals {
		fmt.Fprintf(b, "| %s |", cell(p.Name))
		for _, m := range t.Models {
			fmt.Fprintf(b, " %s |", map[bool]string{true: "✅", false: "❌"}[p.MayCall(m)])
		}
		b.WriteString("\n")
	}
}

func yesNo(ok bool) string {
	if ok {
		return short[Allowed]
	}
	return short[Denied]
}
