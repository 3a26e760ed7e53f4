module github.com/pulumi/pulumi-auth0/sdk/v3

go 1.25

require (
	github.com/blang/semver v3.5.1+incompatible
	github.com/pulumi/pulumi/sdk/v3 v3.263.0
)
