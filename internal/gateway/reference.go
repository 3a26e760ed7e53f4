package gateway

// ReferenceRoutes are the guarded routes of Auth0's reference API that the
// gateway answers itself (GET /api/messages/public and /healthz need no
// token), with what a token needs to call them: what New serves, for tools
// that reason about the gateway's routes, such as `plan -access`.
func ReferenceRoutes() []Route {
	return []Route{
		{Pattern: "GET /api/messages/protected", Description: "any valid token"},
		{Pattern: "GET /api/messages/admin", AllOf: []string{AdminPermission}},
	}
}

// ValidateRoutes reports every problem of a route list at once, as New does.
func ValidateRoutes(routes []Route) error { return validateRoutes(routes) }
