package plan

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/proxy"
	"github.com/model-api-auth0/model-api-auth0/internal/plan/access"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// accessFlags are the flags of `plan -access`: who can call what.
type accessFlags struct {
	enabled     *bool
	routesFile  *string
	outputsFile *string
}

func addAccessFlags(fs *flag.FlagSet) *accessFlags {
	return &accessFlags{
		enabled: fs.Bool("access", false, "print who can call what: the stack's principals against the gateway's routes, instead of the plan"),
		routesFile: fs.String("routes", "", "with -access: the gateway's routes `file` (default: the gateway's default routes); "+
			"the reference routes /api/messages/* are always included"),
		outputsFile: fs.String("stack-outputs", "", "with -access: `file` written by pulumi stack output --json, for the organizations' IDs (routes with orgs)"),
	}
}

// run prints the access table of the stack file if -access is set, and
// returns the exit status and true; it returns false when there is nothing
// for it to do. Flags of one mode given in the other are usage errors.
func (a *accessFlags) run(fs *flag.FlagSet, projectDir, stackFile, format string, stdout, stderr io.Writer) (int, bool) {
	var misused []string
	fs.Visit(func(f *flag.Flag) {
		switch {
		case *a.enabled && f.Name == "against":
			misused = append(misused, "-against compares plans; it does not apply to -access")
		case !*a.enabled && (f.Name == "routes" || f.Name == "stack-outputs"):
			misused = append(misused, fmt.Sprintf("-%s only applies to -access", f.Name))
		}
	})
	if len(misused) > 0 {
		fmt.Fprintf(stderr, "plan: %s\n", strings.Join(misused, "; "))
		return 2, true
	}
	if !*a.enabled {
		return 0, false
	}
	t, err := a.table(projectDir, stackFile)
	if err != nil {
		fmt.Fprintf(stderr, "plan -access: %v\n", err)
		return 1, true
	}
	switch format {
	case "markdown":
		err = t.WriteMarkdown(stdout)
	case "json":
		_, err = stdout.Write(t.JSON())
	default:
		err = t.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan -access: %v\n", err)
		return 1, true
	}
	return 0, true
}

// table loads the stack, the routes and the outputs, reporting every
// problem of the three at once.
func (a *accessFlags) table(projectDir, stackFile string) (*access.Table, error) {
	var errs []error
	var cfg *stackconfig.Config
	raw, _, err := LoadStack(projectDir, stackFile)
	if err == nil {
		cfg, err = stackconfig.Load(raw, os.LookupEnv)
	}
	errs = append(errs, err)
	var routes []proxy.Route
	routesFrom := ""
	if *a.routesFile != "" {
		rf, err := proxy.LoadRoutesFile(*a.routesFile)
		if err == nil {
			routes = rf.Routes
		}
		errs = append(errs, err)
		routesFrom = *a.routesFile + " and the gateway's reference routes"
	}
	var orgIDs map[string]string
	if *a.outputsFile != "" {
		out, err := stackoutputs.Load(*a.outputsFile)
		if err == nil {
			orgIDs = out.Organizations
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return access.Compute(StackName(stackFile), cfg, routes, routesFrom, orgIDs)
}
