package plan

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// options names a resource's options as the plan shows them.
func (r DocumentResource) options() string {
	var opts []string
	if r.Protect {
		opts = append(opts, "protect")
	}
	if r.RetainOnDelete {
		opts = append(opts, "retainOnDelete")
	}
	return strings.Join(opts, ", ")
}

// children groups resources under their parent's name ("" for top level),
// keeping the document's order.
func (d *Document) children() map[string][]DocumentResource {
	kids := map[string][]DocumentResource{}
	for _, r := range d.Resources {
		kids[r.Parent] = append(kids[r.Parent], r)
	}
	return kids
}

// WriteText writes the plan as an indented tree for a terminal.
func (d *Document) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for stack %s of %s: pulumi up would create %d resources.\n", d.Stack, d.Project, len(d.Resources))
	b.WriteString("(Offline: outputs that only Auth0 knows show as ${resource.output}.)\n\n")
	kids := d.children()
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, r := range kids[parent] {
			indent := strings.Repeat("    ", depth)
			fmt.Fprintf(&b, "%s+ %s %s", indent, shortType(r.Type), r.Name)
			if o := r.options(); o != "" {
				fmt.Fprintf(&b, "  [%s]", o)
			}
			b.WriteString("\n")
			tw := tabwriter.NewWriter(&b, 0, 4, 1, ' ', 0)
			for _, k := range slices.Sorted(maps.Keys(r.Inputs)) {
				if list, ok := r.Inputs[k].([]any); ok && len(list) > 1 && isObject(list[0]) {
					fmt.Fprintf(tw, "%s      %s:\t\n", indent, k)
					for _, e := range list {
						fmt.Fprintf(tw, "%s        - %s\n", indent, compact(e))
					}
					continue
				}
				fmt.Fprintf(tw, "%s      %s:\t%s\n", indent, k, compact(r.Inputs[k]))
			}
			if len(r.DependsOn) > 0 {
				fmt.Fprintf(tw, "%s      (after):\t%s\n", indent, strings.Join(r.DependsOn, ", "))
			}
			tw.Flush()
			walk(r.Name, depth+1)
		}
	}
	walk("", 0)
	b.WriteString("\nOutputs:\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 1, ' ', 0)
	for _, k := range slices.Sorted(maps.Keys(d.Outputs)) {
		fmt.Fprintf(tw, "    %s:\t%s\n", k, compact(d.Outputs[k]))
	}
	tw.Flush()
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// trimLines drops the trailing spaces tabwriter leaves on some lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// WriteMarkdown writes the plan for a pull-request comment: a summary
// table, the full tree folded away, and the outputs.
func (d *Document) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Offline plan: `pulumi up` on **%s** would create %d resources\n\n", d.Stack, len(d.Resources))
	counts := map[string]int{}
	for _, r := range d.Resources {
		counts[shortType(r.Type)]++
	}
	b.WriteString("| Type | Count |\n|---|---:|\n")
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "| `%s` | %d |\n", t, counts[t])
	}
	var guarded []string
	for _, r := range d.Resources {
		if o := r.options(); o != "" {
			guarded = append(guarded, fmt.Sprintf("`%s` (%s)", r.Name, o))
		}
	}
	if len(guarded) > 0 {
		fmt.Fprintf(&b, "\nProtected: %s\n", strings.Join(guarded, ", "))
	}
	b.WriteString("\n<details><summary>Resources and inputs</summary>\n\n```text\n")
	var tree strings.Builder
	if err := d.WriteText(&tree); err != nil {
		return err
	}
	b.WriteString(strings.ReplaceAll(tree.String(), "```", "'''"))
	b.WriteString("```\n\n</details>\n\n#### Outputs\n\n| Output | Value |\n|---|---|\n")
	for _, k := range slices.Sorted(maps.Keys(d.Outputs)) {
		fmt.Fprintf(&b, "| `%s` | `%s` |\n", k, strings.ReplaceAll(compact(d.Outputs[k]), "|", "\\|"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }
