package devtenant

import (
	"fmt"
	"strconv"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// LoadStack reads Pulumi.yaml and a stack file as the Pulumi program gets
// them and decodes them as the program does (internal/tenant/stackconfig: Read,
// then Load), so the dev tenant serves exactly the stack's roles,
// organizations, members, test users and clients. A protected stack is
// refused with ErrProtected before anything else.
//
// The stack's testUserPassword is usually a secure: value the dev tenant
// cannot read. password replaces it; if password is empty, a readable
// value of the stack is kept, or one is generated (generated reports it).
// Either way the stack's password policy applies, as it would in Auth0.
func LoadStack(projectFile, stackFile, password string) (cfg *stackconfig.Config, generated bool, err error) {
	raw, err := stackconfig.ReadFile(projectFile, stackFile)
	if err != nil {
		return nil, false, err
	}
	if p, err := strconv.ParseBool(raw[stackconfig.KeyProtect]); err == nil && p {
		return nil, false, fmt.Errorf("%s: %w", stackFile, ErrProtected)
	}
	if stack := raw[stackconfig.KeyTestUserPassword]; password == "" && (stack == "" || stack == stackconfig.Blinded) {
		password, generated = GeneratePassword(), true
	}
	if password != "" {
		raw[stackconfig.KeyTestUserPassword] = password
	}
	cfg, err = stackconfig.Load(raw, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", stackFile, err)
	}
	return cfg, generated, nil
}

// fromStack fills in what the stack declares and opts leaves unset: the
// web app (model-api-auth0:webApp), the CLI app (cliApp) and the
// organizations each M2M client is linked to. What the caller sets wins.
func fromStack(cfg *stackconfig.Config, opts Options) Options {
	if w := cfg.WebApp; w != nil && opts.WebApp.Name == "" && opts.WebApp.Callbacks == nil && opts.WebApp.LogoutURLs == nil {
		opts.WebApp = WebApp{Name: w.Name, Callbacks: w.Callbacks, LogoutURLs: w.LogoutURLs}
	}
	if n := cfg.CLIApp; n != nil && opts.Native.Name == "" && opts.Native.Callbacks == nil && opts.Native.LogoutURLs == nil {
		opts.Native = Native{Name: n.Name, Callbacks: n.Callbacks, LogoutURLs: n.LogoutURLs}
	}
	if opts.ClientOrganizations == nil {
		for _, c := range cfg.Clients {
			if len(c.Organizations) > 0 {
				if opts.ClientOrganizations == nil {
					opts.ClientOrganizations = map[string][]string{}
				}
				opts.ClientOrganizations[c.Name] = c.Organizations
			}
		}
	}
	return opts
}
