package main

import (
	"github.com/pulumi/pulumi-auth0/sdk/v3/go/auth0"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// proofOfPossession is the API's proofOfPossession (DPoP), nil when the
// stack declares none: Auth0's default then applies (a client sending a
// DPoP proof still gets a bound token).
func proofOfPossession(p *stackconfig.ProofOfPossessionConfig) auth0.ResourceServerProofOfPossessionPtrInput {
	if p == nil {
		return nil
	}
	args := &auth0.ResourceServerProofOfPossessionArgs{Mechanism: pulumi.String(p.Mechanism), Required: pulumi.Bool(p.Required)}
	if p.RequiredFor != "" {
		args.RequiredFor = pulumi.String(p.RequiredFor)
	}
	return args
}

// requireProofOfPossession is a client's requireProofOfPossession, unset
// rather than false so that plans of stacks without DPoP do not change.
func requireProofOfPossession(required bool) pulumi.BoolPtrInput {
	if !required {
		return nil
	}
	return pulumi.Bool(true)
}
