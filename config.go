package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// The stack file's declaration, its strict decoding and its validation live
// in internal/tenant/stackconfig, which does not link the Pulumi SDK: the dev tenant
// (cmd/devtenant) reads stack files with it. The program knows
// what it declares resources from by these names.
type (
	Config             = stackconfig.Config
	OrganizationConfig = stackconfig.OrganizationConfig
	ClientConfig       = stackconfig.ClientConfig
	AppConfig          = stackconfig.AppConfig
	TenantConfig       = stackconfig.TenantConfig
)

// loadConfig is stackconfig.Load plus the check only the engine can answer: that
// every secret key was stored encrypted. Pulumi.yaml cannot have the CLI
// enforce it (a typed secret key with a default fails every stack that does
// not set it), so the program does, and reports it with the other problems.
func loadConfig(ctx *pulumi.Context, raw map[string]string) (*Config, error) {
	cfg, err := stackconfig.Load(raw, os.LookupEnv)
	var plain []strictjson.Problem
	for _, key := range stackconfig.SecretKeys {
		if raw[key] != "" && !ctx.IsConfigSecret(key) {
			plain = append(plain, strictjson.Problem{Path: key, Message: fmt.Sprintf(
				"is stored in plain text; remove it from the stack file and run `pulumi config set --secret %s`", key)})
		}
	}
	if len(plain) == 0 {
		return cfg, err
	}
	var verr *stackconfig.ValidationError
	if errors.As(err, &verr) {
		return nil, &stackconfig.ValidationError{Problems: append(plain, verr.Problems...)}
	}
	if err != nil {
		return nil, err
	}
	return nil, &stackconfig.ValidationError{Problems: plain}
}
