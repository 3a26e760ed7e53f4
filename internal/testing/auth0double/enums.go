package auth0double

// Allowed lists, by owner (a resource token or an object type token) and
// property, the values the Auth0 provider and the Management API accept for
// a string property. The schema types them as plain strings and its
// descriptions render the values in camelCase (`accessTokenAuthz`); the
// values that must be sent are these snake_case API values. A test checks
// every owner and property against the schema, and that each value is the
// one its description names.
var Allowed = map[string]map[string][]string{
	"auth0:index/resourceServer:ResourceServer": {
		"signingAlg":    {"HS256", "RS256", "PS256"},
		"tokenDialect":  {"access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz"},
		"consentPolicy": {"transactional-authorization-with-mfa"},
	},
	"auth0:index/client:Client": {
		"appType": {
			"native", "spa", "regular_web", "non_interactive", "resource_server", "sso_integration",
			"rms", "box", "cloudbees", "concur", "dropbox", "mscrm", "echosign", "egnyte", "newrelic",
			"office365", "salesforce", "sentry", "sharepoint", "slack", "springcm", "zendesk", "zoom",
			"express_configuration",
		},
		"organizationUsage":           organizationUsages,
		"organizationRequireBehavior": {"no_prompt", "pre_login_prompt", "post_login_prompt"},
	},
	"auth0:index/clientGrant:ClientGrant": {
		"organizationUsage": organizationUsages,
		"subjectType":       {"client", "user"},
	},
	"auth0:index/clientCredentials:ClientCredentials": {
		"authenticationMethod": {
			"none", "client_secret_post", "client_secret_basic", "private_key_jwt",
			"tls_client_auth", "self_signed_tls_client_auth",
		},
	},
	"auth0:index/connection:Connection": {
		// terraform-provider-auth0's validation of `strategy`.
		"strategy": {
			"ad", "adfs", "amazon", "apple", "dropbox", "bitbucket", "aol", "auth0-oidc", "auth0",
			"baidu", "bitly", "box", "custom", "daccount", "dwolla", "email", "evernote-sandbox",
			"evernote", "exact", "facebook", "fitbit", "flickr", "github", "google-apps",
			"google-oauth2", "instagram", "ip", "linkedin", "miicard", "oauth1", "oauth2",
			"office365", "oidc", "okta", "paypal", "paypal-sandbox", "pingfederate",
			"planningcenter", "renren", "salesforce-community", "salesforce-sandbox", "salesforce",
			"samlp", "sharepoint", "shopify", "sms", "soundcloud", "thecity-sandbox", "thecity",
			"thirtysevensignals", "twitter", "untappd", "vkontakte", "waad", "weibo", "windowslive",
			"wordpress", "yahoo", "yammer", "yandex", "line",
		},
	},
	"auth0:index/ConnectionOptions:ConnectionOptions": {
		"passwordPolicy": {"none", "low", "fair", "good", "excellent"},
	},
	"auth0:index/ResourceServerSubjectTypeAuthorizationUser:ResourceServerSubjectTypeAuthorizationUser": {
		"policy": {"allow_all", "deny_all", "require_client_grant"},
	},
	"auth0:index/ResourceServerSubjectTypeAuthorizationClient:ResourceServerSubjectTypeAuthorizationClient": {
		"policy": {"deny_all", "require_client_grant"},
	},
	"auth0:index/ClientRefreshToken:ClientRefreshToken": {
		"rotationType":   {"rotating", "non-rotating"},
		"expirationType": {"expiring", "non-expiring"},
	},
	"auth0:index/ClientJwtConfiguration:ClientJwtConfiguration": {
		"alg": {"HS256", "RS256", "PS256"},
	},
	"auth0:index/tenant:Tenant": {
		"resourceParameterProfile": {"audience", "compatibility"},
	},
}

var organizationUsages = []string{"deny", "allow", "require"}
