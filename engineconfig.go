package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/strictjson"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// EngineConfig returns the stack configuration the Pulumi engine handed the
// program, keyed as in Pulumi.<stack>.yaml ("model-api-auth0:api"), objects
// and lists as JSON.
//
// Strict decoding reports unknown keys, so it needs every key of the stack,
// and pulumi.Context can only be asked for a key by name. Where the keys come
// from depends on how the program runs:
//
//   - `pulumi up` (the Go language host) also passes the whole configuration
//     in PULUMI_CONFIG: every key is read, and a misspelled one is reported.
//   - An inline program (the Automation API) gets its configuration only in
//     the engine's RunRequest, and the SDK does not list it. EngineConfig then
//     reads the keys the program declares, auth0:domain, and stackKeys: the
//     keys of the stack file, which the caller knows (Stack.GetAllConfig, or
//     the stack file). An inline caller that passes no stackKeys loses only
//     unknown-key detection; every key the program reads is still read.
//
// Values always come from ctx, never from PULUMI_CONFIG, which only adds key
// names: a stale PULUMI_CONFIG in an inline host's environment cannot inject
// values.
func EngineConfig(ctx *pulumi.Context, stackKeys ...string) (map[string]string, error) {
	keys := append(stackconfig.ConfigKeys(), stackconfig.KeyDomain)
	keys = append(keys, stackKeys...)
	if s := os.Getenv(pulumi.EnvConfig); s != "" {
		var host map[string]string
		if err := json.Unmarshal([]byte(s), &host); err != nil {
			return nil, fmt.Errorf("reading %s from the Pulumi engine: %w", pulumi.EnvConfig, err)
		}
		keys = slices.AppendSeq(keys, maps.Keys(host))
	}
	raw := map[string]string{}
	for _, key := range keys {
		if v, ok := ctx.GetConfig(key); ok {
			raw[key] = v
		}
	}
	return raw, nil
}

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

// deploy is the program as the engine runs it: with the configuration the
// engine hands it (stackKeys: see EngineConfig).
func deploy(ctx *pulumi.Context, stackKeys ...string) error {
	raw, err := EngineConfig(ctx, stackKeys...)
	if err != nil {
		return err
	}
	_, err = program(ctx, raw)
	return err
}
