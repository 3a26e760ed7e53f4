package access

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// short is a verdict in a text cell.
var short = map[Verdict]string{Allowed: "yes", Denied: "no", Unknown: "?"}

// WriteText writes the table for a terminal: the routes, numbered, the
// matrix of principals against them, and why each "no" is a no.
func (t *Table) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Who can call what on stack %s: %d principals, %d routes (%s).\n", t.Stack, len(t.Principals), len(t.Routes), t.RoutesFrom)
	b.WriteString("(Each principal's token checked against each route's requirement, as the gateway checks it.)\n\nRoutes:\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for j, r := range t.Routes {
		fmt.Fprintf(tw, "    [%d] %s\t%s\n", j+1, r.Pattern, t.needs(r.Requirement))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	header := []string{"Principal"}
	for j := range t.Routes {
		header = append(header, fmt.Sprintf("[%d]", j+1))
	}
	fmt.Fprintln(tw, strings.Join(append(header, "Grants"), "\t"))
	for i, p := range t.Principals {
		row := []string{p.Name}
		for _, d := range t.Decisions[i] {
			row = append(row, short[d.Verdict])
		}
		fmt.Fprintln(tw, strings.Join(append(row, grants(p)), "\t"))
	}
	tw.Flush()
	t.writeModelsText(&b)
	var why strings.Builder
	tw = tabwriter.NewWriter(&why, 0, 4, 2, ' ', 0)
	for i, p := range t.Principals {
		name := p.Name + ":"
		for _, g := range t.reasons(i) {
			fmt.Fprintf(tw, "    %s\t%s %s\n", name, g.routes, g.reason)
			name = ""
		}
	}
	tw.Flush()
	if why.Len() > 0 {
		b.WriteString("\nWhy not:\n" + why.String())
	}
	if len(t.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range t.Notes {
			b.WriteString("    " + n + "\n")
		}
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// reasonGroup is the routes one principal is refused for the same reason.
type reasonGroup struct{ routes, reason string }

func (t *Table) reasons(i int) []reasonGroup {
	var groups []reasonGroup
	index := map[string]int{}
	for j, d := range t.Decisions[i] {
		if d.Verdict == Allowed {
			continue
		}
		reason := d.Reason
		if d.Verdict == Unknown {
			reason = "? " + reason
		}
		k, ok := index[reason]
		if !ok {
			k = len(groups)
			index[reason] = k
			groups = append(groups, reasonGroup{reason: reason})
		}
		groups[k].routes = strings.TrimSpace(groups[k].routes + fmt.Sprintf(" [%d]", j+1))
	}
	return groups
}

func grants(p Principal) string {
	if len(p.Grants) == 0 {
		return "(none)"
	}
	return strings.Join(p.Grants, " ")
}

// trimLines drops the trailing spaces tabwriter leaves on some lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// WriteMarkdown writes the table for a pull-request comment.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Who can call what on **%s**\n\n%d principals, %d routes (%s).\n\n", t.Stack, len(t.Principals), len(t.Routes), t.RoutesFrom)
	b.WriteString("| Principal | Grants |")
	for _, r := range t.Routes {
		fmt.Fprintf(&b, " `%s`<br>%s |", cell(r.Pattern), cell(t.needs(r.Requirement)))
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(t.Routes)) + "\n")
	mark := map[Verdict]string{Allowed: "✅", Denied: "❌", Unknown: "❔"}
	for i, p := range t.Principals {
		fmt.Fprintf(&b, "| %s | %s |", cell(p.Name), cell(grants(p)))
		for _, d := range t.Decisions[i] {
			fmt.Fprintf(&b, " %s |", strings.TrimSpace(mark[d.Verdict]+" "+cell(d.Reason)))
		}
		b.WriteString("\n")
	}
	t.writeModelsMarkdown(&b)
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// jsonTable is the JSON form: each principal with its decision per route.
type jsonTable struct {
	Stack      string          `json:"stack"`
	RoutesFrom string          `json:"routesFrom"`
	Routes     []Route         `json:"routes"`
	Principals []jsonPrincipal `json:"principals"`
	Models     []string        `json:"models,omitempty"`
	Notes      []string        `json:"notes,omitempty"`
}

type jsonPrincipal struct {
	Principal
	// Models shadows Principal's, so that a stack with models gives every
	// principal the list, [] included.
	Models *[]string      `json:"models,omitempty"`
	Access []jsonDecision `json:"access"`
}

type jsonDecision struct {
	Route string `json:"route"`
	Decision
}

// JSON is the table for tools, indented, ending in a newline.
func (t *Table) JSON() []byte {
	out := jsonTable{Stack: t.Stack, RoutesFrom: t.RoutesFrom, Routes: t.Routes, Models: t.Models, Notes: t.Notes}
	for i, p := range t.Principals {
		jp := jsonPrincipal{Principal: p}
		if len(t.Models) > 0 {
			jp.Models = &p.Models
		}
		for j, d := range t.Decisions[i] {
			jp.Access = append(jp.Access, jsonDecision{Route: t.Routes[j].Pattern, Decision: d})
		}
		out.Principals = append(out.Principals, jp)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err) // plain strings, slices and bools only
	}
	return append(b, '\n')
}
