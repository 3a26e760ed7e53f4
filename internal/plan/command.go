package plan

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Main is the plan command: it shows what `pulumi up` would do to a stack,
// offline, by running the program under a recording mock engine with the
// stack file's configuration. No Pulumi CLI, no network, no credentials;
// secrets are never shown. args are the command's flags, after the word
// plan:
//
//	(none)                                   the dev stack, as a tree
//	-stack prod -format markdown
//	-stack prod -against testdata/prod.plan.json
//	-access                                  who can call what (access.go)
//
// It returns the exit status: 0 planned, 1 invalid configuration or a gate
// failure, 2 usage.
func Main(args []string, stdout, stderr io.Writer, program Program) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack to plan: reads Pulumi.<stack>.yaml")
	configFile := fs.String("config", "", "stack file to plan instead of Pulumi.<stack>.yaml")
	projectDir := fs.String("project", ".", "directory holding Pulumi.yaml")
	format := fs.String("format", "text", "output format: text, markdown or json")
	against := fs.String("against", "", "recorded plan (JSON) to compare with: fail if a protected resource would be deleted or anything replaced")
	accessTable := addAccessFlags(fs) // access.go
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plan: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	write, ok := map[string]func(*Document, io.Writer) error{
		"text":     (*Document).WriteText,
		"markdown": (*Document).WriteMarkdown,
		"json":     func(d *Document, w io.Writer) error { _, err := w.Write(d.JSON()); return err },
	}[*format]
	if !ok {
		fmt.Fprintf(stderr, "plan: unknown -format %q; want text, markdown or json\n", *format)
		return 2
	}

	file := *configFile
	if file == "" {
		file = filepath.Join(*projectDir, "Pulumi."+*stack+".yaml")
	}
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(stderr, "plan: %v\nhint: stacks here are the Pulumi.<stack>.yaml files in %s\n", err, *projectDir)
		return 1
	}
	if code, done := accessTable.run(fs, *projectDir, file, *format, stdout, stderr); done {
		return code
	}
	raw, notes, err := LoadStack(*projectDir, file)
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	p, err := Evaluate(StackName(file), raw, program)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, n := range notes {
		fmt.Fprintln(stderr, n)
	}
	doc := p.Document()

	if *against != "" {
		b, err := os.ReadFile(*against)
		if err != nil {
			fmt.Fprintf(stderr, "plan: %v\n", err)
			return 1
		}
		recorded, err := ReadDocument(b)
		if err != nil {
			fmt.Fprintf(stderr, "plan: %s: %v\n", *against, err)
			return 1
		}
		findings := Compare(recorded, doc)
		fmt.Fprint(stderr, Summary(findings))
		if Fatal(findings) {
			fmt.Fprintf(stderr, "plan: refusing: applying this would delete or replace resources recorded in %s (see above)\n", *against)
			return 1
		}
		fmt.Fprintf(stderr, "plan: no protected resource is deleted and nothing is replaced compared with %s\n", *against)
	}
	if err := write(doc, stdout); err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	return 0
}
