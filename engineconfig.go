package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
