// Command devtenant runs a local, Auth0-compatible development tenant built
// from a stack file, and an OpenAI-compatible echo model server beside it,
// so that the gateway, the token client and a browser login work without
// an Auth0 account:
//
//	go run ./cmd/devtenant                 # the dev stack: Pulumi.yaml + Pulumi.dev.yaml
//	go run ./cmd/devtenant -stack dev -listen 127.0.0.1:7300 -echo-listen 127.0.0.1:8000
//	go run ./cmd/devtenant -gateway        # and the gateway, with people's login, at http://127.0.0.1:8080/
//
// It writes the stack outputs a real `pulumi stack output --json
// --show-secrets` would give to -outputs (mode 0600) and prints the next
// commands, or with -gateway what to open and who to log in as. It refuses
// a protected stack, and listens on loopback only unless
// -allow-non-loopback (the gateway always). Not for production.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/model-api-auth0/model-api-auth0/internal/dev/devtenant"
	"github.com/model-api-auth0/model-api-auth0/internal/dev/echomodel"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "devtenant:", err)
		os.Exit(1)
	}
}

// settings are the command's flags.
type settings struct {
	stack, project, stackFile, listen, echoListen, outputs, password string
	allowNonLoopback                                                 bool
	// agentsOnLoopback: devtenant.MetadataDocuments.Loopback; agentsCA
	// (-agents-ca, read into agentsRoots): CAs its RootCAs trusts beside
	// the system's, so that an agent's document served with a local
	// certificate can be fetched.
	agentsOnLoopback bool
	agentsCA         string
	agentsRoots      *x509.CertPool
	passwordSource   string
	// -gateway and the gateway's flags it takes.
	gateway                                  bool
	gatewayListen, routes, redis, defaultOrg string
	ledger                                   string
}

func parse(args []string, env func(string) (string, bool), stderr io.Writer) (*settings, error) {
	s := &settings{}
	fs := flag.NewFlagSet("devtenant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.stack, "stack", "dev", "stack to serve: reads Pulumi.<stack>.yaml")
	fs.StringVar(&s.project, "project", ".", "directory holding Pulumi.yaml")
	fs.StringVar(&s.stackFile, "config", "", "stack file to serve instead of Pulumi.<stack>.yaml")
	fs.StringVar(&s.listen, "listen", "127.0.0.1:7300", "address of the tenant (the issuer is http://ADDRESS/)")
	fs.StringVar(&s.echoListen, "echo-listen", "127.0.0.1:8000", `address of the echo model server; "" to not start it`)
	fs.StringVar(&s.outputs, "outputs", "", "file to write the stack outputs to (mode 0600; default in your user cache directory)")
	fs.StringVar(&s.password, "password", "", "test users' password (prefer env DEVTENANT_PASSWORD: flags show in process lists); default: generated")
	fs.BoolVar(&s.allowNonLoopback, "allow-non-loopback", false, "allow listening on addresses other than loopback (anyone who reaches it can get tokens)")
	fs.BoolVar(&s.agentsOnLoopback, "agents-on-loopback", false, "with the stack's tenant.clientIdMetadataDocuments: also fetch agents' metadata documents from this machine (http://127.0.0.1 or https on loopback); private networks stay refused")
	fs.StringVar(&s.agentsCA, "agents-ca", "", "PEM `file` of CA certificates that verify agents' metadata document servers, beside the system's (a local agent's own certificate, with -agents-on-loopback)")
	fs.BoolVar(&s.gateway, "gateway", false, "start the gateway too, in front of the echo model server, with people's login at its /login: everything at once without an account, on loopback")
	fs.StringVar(&s.gatewayListen, "gateway-listen", gatewayListen, "with -gateway: the gateway's address, loopback only (port 0: a free one); its public URL and the API identifier are http://ADDRESS/")
	fs.StringVar(&s.routes, "routes", "", "with -gateway: the gateway's routes file, as its -routes; default: OpenAI-compatible routes")
	fs.StringVar(&s.ledger, "ledger", "", `with -gateway: the usage ledger, as the gateway's -ledger; default: sqlite:FILE beside the outputs; "off": none`)
	fs.StringVar(&s.redis, "redis", "", "with -gateway: redis:// URL for the gateway's limits and sessions, as its -redis; default: in memory")
	fs.StringVar(&s.defaultOrg, "default-org", "", "with -gateway: organization a plain /login asks for, by `name|org_ID`, as the gateway's -default-org")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var problems []string
	fs.Visit(func(f *flag.Flag) {
		if !s.gateway && slices.Contains([]string{"gateway-listen", "routes", "redis", "default-org", "ledger"}, f.Name) {
			problems = append(problems, fmt.Sprintf("-%s is the gateway's: add -gateway, or drop it", f.Name))
		}
	})
	if s.gateway && s.echoListen == "" {
		problems = append(problems, `-echo-listen "": -gateway needs the echo model server in front of which it runs; give -echo-listen an address`)
	}
	switch v, ok := env("DEVTENANT_PASSWORD"); {
	case s.password != "":
		s.passwordSource = "-password"
	case ok && v != "":
		s.password, s.passwordSource = v, "DEVTENANT_PASSWORD"
	}
	if s.agentsCA != "" {
		var err error
		if s.agentsRoots, err = readCAs(s.agentsCA); err != nil {
			problems = append(problems, "-agents-ca "+err.Error())
		}
	}
	if s.stackFile == "" {
		s.stackFile = filepath.Join(s.project, "Pulumi."+s.stack+".yaml")
	}
	for _, a := range []struct{ flag, addr string }{{"-listen", s.listen}, {"-echo-listen", s.echoListen}} {
		if a.addr == "" && a.flag == "-echo-listen" {
			continue
		}
		if err := checkListen(a.addr, s.allowNonLoopback); err != nil {
			problems = append(problems, fmt.Sprintf("%s %s", a.flag, err))
		}
	}
	if s.outputs == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			problems = append(problems, "-outputs: no user cache directory to default to ("+err.Error()+"); give -outputs FILE")
		}
		s.outputs = filepath.Join(dir, "model-api-auth0", "devtenant", strings.TrimSuffix(filepath.Base(s.stackFile), ".yaml")+".outputs.json")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return s, nil
}

// readCAs is the system's roots and the PEM certificates in file: a local
// CA added, not the only one trusted, so that public agents still verify.
func readCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system roots here: the file's only
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%q: no PEM certificate in it (want -----BEGIN CERTIFICATE-----)", file)
	}
	return pool, nil
}

// checkListen refuses a non-loopback address unless allowed: the tenant
// hands out tokens to anyone who knows the printed password.
func checkListen(addr string, allowNonLoopback bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT such as 127.0.0.1:7300", addr)
	}
	ip := net.ParseIP(host)
	if host == "localhost" || ip != nil && ip.IsLoopback() || allowNonLoopback {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address: the dev tenant is for this machine only; use 127.0.0.1:PORT, or -allow-non-loopback if you really mean it", addr)
}

// run serves until ctx is done. ready, if not nil, receives the address to
// open once everything listens and the outputs are written: the tenant's,
// or with -gateway the gateway's.
func run(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer, ready chan<- string) error {
	s, err := parse(args, env, stderr)
	if err != nil {
		return err
	}
	cfg, generated, err := devtenant.LoadStack(filepath.Join(s.project, "Pulumi.yaml"), s.stackFile, s.password)
	if err != nil {
		return err
	}
	switch {
	case generated:
		s.passwordSource = "generated for this run; set DEVTENANT_PASSWORD to choose one"
	case s.passwordSource == "":
		s.passwordSource = "the stack's testUserPassword"
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := devtenant.Options{Logger: logger, MetadataDocuments: devtenant.MetadataDocuments{Loopback: s.agentsOnLoopback, RootCAs: s.agentsRoots}}
	var gatewayAddr string
	if s.gateway {
		if gatewayAddr, err = resolveGatewayListen(s.gatewayListen); err != nil {
			return err
		}
		opts = gatewayTenant(cfg, opts, gatewayAddr)
	}
	t, err := devtenant.New(cfg, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	defer ln.Close()
	var echoAddr string
	if s.echoListen != "" {
		eln, err := net.Listen("tcp", s.echoListen)
		if err != nil {
			return fmt.Errorf("-echo-listen: %w (another model server there? give -echo-listen another address, or \"\")", err)
		}
		echoAddr = eln.Addr().String()
		// The stack's models, and "echo" for calls that name none of them.
		echo := echomodel.Options{Models: append([]string{"echo"}, cfg.ModelNames()...)}
		srv := &http.Server{Handler: echomodel.New(echo), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		go srv.Serve(eln)
		defer srv.Shutdown(context.Background())
	}
	if err := t.Start(ln); err != nil {
		return err
	}
	defer t.Close()
	if err := t.WriteOutputs(s.outputs); err != nil {
		return err
	}
	if s.gateway {
		return serveGateway(ctx, t, cfg, s, gatewayAddr, echoAddr, stdout, stderr, ready)
	}
	if err := printBanner(stdout, t, cfgSummary(cfg), s, echoAddr); err != nil {
		return err
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, stopping)
	return nil
}

// stopping is said at the end of a run, whose tokens die with it.
const stopping = "devtenant: stopping; the tokens it issued are worthless once it is gone"
