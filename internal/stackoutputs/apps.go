package stackoutputs

import "errors"

// App is an interactive application of the tenant in the outputs.
type App struct {
	Name     string `json:"name"`
	ClientID string `json:"clientId"`
}

// ErrNoCLIApp is returned by CLIClientID when the outputs name no
// command-line client.
var ErrNoCLIApp = errors.New("the stack outputs name no command-line (native) client: neither cliApp nor nativeApp has a clientId")

// CLIClientID is the client ID people log in with from the command line:
// the stack's cliApp export (model-api-auth0:cliApp), else the nativeApp a
// dev tenant writes.
func (o *Outputs) CLIClientID() (string, error) {
	for _, app := range []App{o.CLIApp, o.NativeApp} {
		if app.ClientID != "" {
			return app.ClientID, nil
		}
	}
	return "", ErrNoCLIApp
}
