package devtenant

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// Outputs returns the tenant's stack outputs, as `pulumi stack output
// --json --show-secrets` gives them for a real tenant of the same stack
// (internal/tenant/stackoutputs reads them); it needs the issuer (Start).
// The dev tenant has no grant, organization policy or scopes of its own for
// the applications people log in through: those fields of webApp and
// cliApp are empty.
func (t *Tenant) Outputs() (*stackoutputs.Outputs, error) {
	iss := t.Issuer()
	if iss == "" {
		return nil, ErrNotStarted
	}
	u, _ := url.Parse(iss)
	o := &stackoutputs.Outputs{
		Audience: t.Audience(), SigningAlg: t.cfg.API.SigningAlg, Issuer: iss, JWKSURI: t.JWKSURL(), TokenEndpoint: t.TokenURL(), TenantDomain: u.Host,
		APIID: derive("api", t.Audience(), 24), ConnectionID: "con_" + derive("connection", t.cfg.Connection.Name, 16),
		RoleIDs: map[string]string{}, Organizations: stackoutputs.Organizations{}, Clients: map[string]stackoutputs.Client{},
		ClientSecrets: stackoutputs.ClientSecrets{}, Models: t.cfg.ModelNames(),
	}
	if m := t.cfg.MCP; m != nil {
		o.MCP = &stackoutputs.MCP{PublicURL: m.PublicURL}
	}
	if p := t.cfg.API.ProofOfPossession; p != nil {
		o.ProofOfPossession = &stackoutputs.ProofOfPossession{Mechanism: p.Mechanism, Required: p.Required, RequiredFor: p.RequiredFor}
	}
	for _, r := range t.cfg.Roles {
		o.RoleIDs[r.Name] = roleID(r.Name)
	}
	for name, org := range t.dir.orgs {
		o.Organizations[name] = org.ID
	}
	for _, c := range t.dir.clients {
		switch c.Kind {
		case machine:
			o.Clients[c.Name] = t.clientOutput(c)
			o.ClientSecrets[c.Name] = c.Secret
		case webApp:
			o.WebApp = appOutput(c)
			o.ClientSecrets[c.Name] = c.Secret
		case native:
			o.CLIApp = appOutput(c) // public: it has no secret
		}
	}
	return o, nil
}

// clientOutput is what a token request of the M2M client needs to know
// before it is sent: its grant's organization policy and links by name.
func (t *Tenant) clientOutput(c *client) stackoutputs.Client {
	orgs := []string{} // a list in the JSON even when empty, as the program exports it
	for id := range c.Orgs {
		orgs = append(orgs, t.dir.orgByID[id].Name)
	}
	slices.Sort(orgs)
	return stackoutputs.Client{ClientID: c.ID, GrantID: c.GrantID, OrganizationUsage: c.OrganizationUsage,
		AllowAnyOrganization: c.AllowAnyOrganization, Organizations: orgs}
}

func appOutput(c *client) *stackoutputs.App {
	return &stackoutputs.App{Name: c.Name, ClientID: c.ID, Callbacks: c.Callbacks, LogoutURLs: c.Logouts}
}

// WriteOutputs writes the outputs as JSON to path, readable by the owner
// only (0600, even if the file existed): it holds client secrets. The file
// is replaced at once, never seen half written.
func (t *Tenant) WriteOutputs(path string) error {
	o, err := t.Outputs()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing the outputs: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+strings.TrimPrefix(filepath.Base(path), ".")+".*") // created 0600
	if err != nil {
		return fmt.Errorf("writing the outputs: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing the outputs: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing the outputs: %w", err)
	}
	return nil
}
