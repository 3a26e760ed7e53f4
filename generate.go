package main

// The Auth0 SDK in sdk/ (github.com/pulumi/pulumi-auth0/sdk/v3, which go.mod
// replaces with it) is generated from the provider schema by Pulumi's own Go
// code generator; tools/auth0-sdkgen lists the resources it keeps.
//go:generate go run -C tools/auth0-sdkgen . -root ../..
