// A Pulumi package for creating and managing auth0 cloud resources.
package auth0
