package stackoutputs_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	so "github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// The names the program exports under and the JSON tags that read them
// are the same list: a name added to one and not the other fails here.
func TestNamesAreTheJSONTags(t *testing.T) {
	assert.ElementsMatch(t, []string{so.KeyAudience, so.KeySigningAlg, so.KeyIssuer, so.KeyJWKSURI, so.KeyTokenEndpoint,
		so.KeyTenantDomain, so.KeyAPIID, so.KeyConnectionID, so.KeyRoleIDs, so.KeyOrganizations, so.KeyClients,
		so.KeyWebApp, so.KeyCLIApp, so.KeyClientSecrets, so.KeyModels, so.KeyMCP, so.KeyProofOfPossession}, jsonNames(so.Outputs{}), "Outputs")
	assert.Equal(t, []string{so.KeyPublicURL}, jsonNames(so.MCP{}), "MCP")
	assert.ElementsMatch(t, []string{so.KeyMechanism, so.KeyRequired, so.KeyRequiredFor}, jsonNames(so.ProofOfPossession{}), "ProofOfPossession")
	assert.ElementsMatch(t, []string{so.KeyClientID, so.KeyGrantID, so.KeyOrganizationUsage, so.KeyAllowAnyOrganization,
		so.KeyClientOrganizations}, jsonNames(so.Client{}), "Client")
	assert.ElementsMatch(t, []string{so.KeyName, so.KeyClientID, so.KeyGrantID, so.KeyCallbacks, so.KeyLogoutURLs,
		so.KeyOrganizationUsage, so.KeyOrganizationRequireBehavior, so.KeyScopes}, jsonNames(so.App{}), "App")
}

// jsonNames are the JSON keys of a struct's fields.
func jsonNames(v any) []string {
	typ := reflect.TypeOf(v)
	names := make([]string, 0, typ.NumField())
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Without --show-secrets, `pulumi stack output --json` writes "[secret]"
// for clientSecrets: the outputs still load, without the secrets.
func TestHiddenClientSecrets(t *testing.T) {
	var out so.Outputs
	require.NoError(t, json.Unmarshal([]byte(`{"clientSecrets": "[secret]"}`), &out))
	assert.Nil(t, out.ClientSecrets)
	require.NoError(t, json.Unmarshal([]byte(`{"clientSecrets": {"batch-scorer": "s3cret"}}`), &out))
	assert.Equal(t, so.ClientSecrets{"batch-scorer": "s3cret"}, out.ClientSecrets)
	assert.Error(t, json.Unmarshal([]byte(`{"clientSecrets": "s3cret"}`), &out), "only Pulumi's placeholder stands for them")
}
