package main

import "github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"

// The stack file's declaration, its strict decoding and its validation live
// in internal/tenant/stackconfig, which does not link the Pulumi SDK: the gateway's
// -dev tenant and cmd/devtenant read stack files with it. The program knows
// what it declares resources from by these names.
type (
	Config             = stackconfig.Config
	OrganizationConfig = stackconfig.OrganizationConfig
	ClientConfig       = stackconfig.ClientConfig
	AppConfig          = stackconfig.AppConfig
	TenantConfig       = stackconfig.TenantConfig
)
