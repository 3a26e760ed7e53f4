package plan

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// ReplaceOnChange lists, per type token, the inputs Auth0 cannot change in
// place: changing one makes the provider delete the resource and create a
// new one. It is the provider schema's willReplaceOnChanges flags (ForceNew
// in terraform-provider-auth0) for every resource the SDK is generated for
// (tools/auth0-sdkgen); a test keeps it equal to the schema.
var ReplaceOnChange = map[string][]string{
	"auth0:index/clientCimd:ClientCimd":                           {"externalClientId"},
	"auth0:index/clientCredentials:ClientCredentials":             {"clientId"},
	"auth0:index/clientGrant:ClientGrant":                         {"audience", "clientId", "defaultFor", "subjectType"},
	"auth0:index/connection:Connection":                           {"name", "strategy"},
	"auth0:index/connectionClients:ConnectionClients":             {"connectionId"},
	"auth0:index/organizationClientGrant:OrganizationClientGrant": {"grantId", "organizationId"},
	"auth0:index/organizationConnections:OrganizationConnections": {"organizationId"},
	"auth0:index/organizationMember:OrganizationMember":           {"organizationId", "userId"},
	"auth0:index/organizationMemberRole:OrganizationMemberRole":   {"organizationId", "roleId", "userId"},
	"auth0:index/organizationMemberRoles:OrganizationMemberRoles": {"organizationId", "userId"},
	"auth0:index/organizationMembers:OrganizationMembers":         {"organizationId"},
	"auth0:index/resourceServer:ResourceServer":                   {"identifier"},
	"auth0:index/resourceServerScopes:ResourceServerScopes":       {"resourceServerIdentifier"},
	"auth0:index/rolePermissions:RolePermissions":                 {"roleId"},
}

// Finding is one resource that the new plan would delete or replace.
type Finding struct {
	Name     string
	Type     string
	Property string // "" for a deletion
	Before   any
	After    any
	Fatal    bool // a protected resource, or a replacement
}

func (f Finding) String() string {
	level := "note"
	if f.Fatal {
		level = "ERROR"
	}
	if f.Property == "" {
		return fmt.Sprintf("%s: %s (%s) would be deleted: it is no longer declared, or its logical name changed", level, f.Name, shortType(f.Type))
	}
	return fmt.Sprintf("%s: %s (%s) would be replaced: %s changes from %s to %s, which Auth0 cannot change in place",
		level, f.Name, shortType(f.Type), f.Property, compact(f.Before), compact(f.After))
}

// Compare lists what applying next over recorded would delete or replace.
// Deleting a protected resource, or replacing any resource (a replaced
// connection loses its users; a replaced grant or member loses access in
// between), is fatal; deleting an unprotected resource is a note.
func Compare(recorded, next *Document) []Finding {
	byURN := map[string]DocumentResource{}
	for _, r := range next.Resources {
		byURN[r.URN] = r
	}
	var findings []Finding
	for _, old := range recorded.Resources {
		cur, ok := byURN[old.URN]
		if !ok {
			findings = append(findings, Finding{Name: old.Name, Type: old.Type, Fatal: old.Protect})
			continue
		}
		for _, prop := range ReplaceOnChange[old.Type] {
			if before, after := old.Inputs[prop], cur.Inputs[prop]; !reflect.DeepEqual(before, after) {
				findings = append(findings, Finding{Name: old.Name, Type: old.Type, Property: prop, Before: before, After: after, Fatal: true})
			}
		}
	}
	return findings
}

// Fatal reports whether any finding must stop the change.
func Fatal(findings []Finding) bool {
	return slices.ContainsFunc(findings, func(f Finding) bool { return f.Fatal })
}

// Summary renders findings one per line.
func Summary(findings []Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}
