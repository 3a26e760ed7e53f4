package devtenant

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Outputs are the stack outputs of the tenant, as `pulumi stack output
// --json --show-secrets` gives them for a real one (internal/tenant/stackoutputs
// reads them), plus the interactive clients the stack does not declare yet.
type Outputs struct {
	Audience      string                  `json:"audience"`
	Issuer        string                  `json:"issuer"`
	JWKSURI       string                  `json:"jwksUri"`
	TokenEndpoint string                  `json:"tokenEndpoint"`
	TenantDomain  string                  `json:"tenantDomain"`
	APIID         string                  `json:"apiId"`
	ConnectionID  string                  `json:"connectionId"`
	RoleIDs       map[string]string       `json:"roleIds"`
	Organizations map[string]string       `json:"organizations"`
	Clients       map[string]ClientOutput `json:"clients"`
	// ClientSecrets holds the secrets of the M2M clients and of the web app,
	// by name: a Pulumi secret in a real stack, shown with --show-secrets.
	ClientSecrets map[string]string `json:"clientSecrets"`
	WebApp        AppOutput         `json:"webApp"`
	NativeApp     AppOutput         `json:"nativeApp"`
}

// ClientOutput is an M2M client in the clients output.
type ClientOutput struct {
	ClientID string `json:"clientId"`
	GrantID  string `json:"grantId"`
}

// AppOutput is an interactive client: its secret, if any, is in ClientSecrets.
type AppOutput struct {
	Name       string   `json:"name"`
	ClientID   string   `json:"clientId"`
	Callbacks  []string `json:"callbacks"`
	LogoutURLs []string `json:"logoutUrls"`
}

// Outputs returns the tenant's stack outputs; it needs the issuer (Start).
func (t *Tenant) Outputs() (*Outputs, error) {
	iss := t.Issuer()
	if iss == "" {
		return nil, ErrNotStarted
	}
	u, _ := url.Parse(iss)
	o := &Outputs{
		Audience: t.Audience(), Issuer: iss, JWKSURI: t.JWKSURL(), TokenEndpoint: t.TokenURL(), TenantDomain: u.Host,
		APIID: derive("api", t.Audience(), 24), ConnectionID: "con_" + derive("connection", t.cfg.Connection.Name, 16),
		RoleIDs: map[string]string{}, Organizations: map[string]string{}, Clients: map[string]ClientOutput{}, ClientSecrets: map[string]string{},
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
			o.Clients[c.Name] = ClientOutput{ClientID: c.ID, GrantID: c.GrantID}
			o.ClientSecrets[c.Name] = c.Secret
		case webApp:
			o.WebApp = AppOutput{Name: c.Name, ClientID: c.ID, Callbacks: c.Callbacks, LogoutURLs: c.Logouts}
			o.ClientSecrets[c.Name] = c.Secret
		case native:
			o.NativeApp = AppOutput{Name: c.Name, ClientID: c.ID, Callbacks: c.Callbacks, LogoutURLs: c.Logouts}
		}
	}
	return o, nil
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
