package stackoutputs_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

func TestOrganizations(t *testing.T) {
	orgs := stackoutputs.Organizations{"acme": "org_A1", "globex": "org_G2"}
	for _, tc := range []struct {
		nameOrID, name, id string
		ok                 bool
	}{
		{"acme", "acme", "org_A1", true},
		{"org_G2", "globex", "org_G2", true},
		{"initech", "", "", false},
		{"org_unlisted", "", "", false},
		{"", "", "", false},
	} {
		name, id, ok := orgs.Find(tc.nameOrID)
		assert.Equal(t, []any{tc.name, tc.id, tc.ok}, []any{name, id, ok}, "Find(%q)", tc.nameOrID)
	}
	assert.Equal(t, "globex", orgs.NameOf("org_G2"))
	assert.Empty(t, orgs.NameOf("acme"), "a name is not an ID")
	assert.Empty(t, orgs.NameOf(""))
	assert.Equal(t, "it has: acme, globex", orgs.Listed())
	assert.Equal(t, "it has none", stackoutputs.Organizations(nil).Listed())
}

func TestOrganizationShapes(t *testing.T) {
	for s, want := range map[string][2]bool{ // IsOrganizationID, IsOrganizationNameOrID
		"org_p6eVBOCYaenFPhYX":  {true, true},
		"acme":                  {false, true},
		"Acme_2-b":              {false, true},
		"org_":                  {false, true},
		"org_a-b":               {false, true},
		"":                      {false, false},
		"acme corp":             {false, false},
		"../acme":               {false, false},
		strings.Repeat("a", 51): {false, false},
	} {
		assert.Equal(t, want, [2]bool{stackoutputs.IsOrganizationID(s), stackoutputs.IsOrganizationNameOrID(s)}, "%q", s)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range [][3]string{ // name, id, want
		{"acme", "org_A1", "acme (org_A1)"},
		{"", "org_A1", "org_A1"},
		{"acme", "", "acme"},
		{"org_A1", "org_A1", "org_A1"},
		{"", "", ""},
	} {
		assert.Equal(t, tc[2], stackoutputs.Describe(tc[0], tc[1]), "Describe(%q, %q)", tc[0], tc[1])
	}
}
