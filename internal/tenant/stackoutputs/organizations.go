package stackoutputs

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// organizationID is the shape of an Auth0 organization ID;
// organizationNameOrID is what Auth0 accepts as a name or an ID.
var (
	organizationID       = regexp.MustCompile(`^org_[A-Za-z0-9]+$`)
	organizationNameOrID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,50}$`)
)

// IsOrganizationNameOrID reports whether s could be an organization's name
// or ID (letters, digits, _ and -, at most 50): anything else would only be
// refused by the tenant, or change the request or file name it goes into.
func IsOrganizationNameOrID(s string) bool { return organizationNameOrID.MatchString(s) }

// IsOrganizationID reports whether s has the shape of an Auth0 organization
// ID (org_ and letters or digits) rather than of an organization name.
func IsOrganizationID(s string) bool { return organizationID.MatchString(s) }

// Names map the names the stack gives things (organizations, clients) to
// the IDs Auth0 gave them, which tokens carry. People and flags use names.
type Names map[string]string

// Organizations maps the stack's organization names to their IDs. Auth0's
// organization parameter takes an ID; people and flags name organizations,
// and tokens carry the ID (org_id) without the name unless the tenant adds it.
type Organizations = Names

// Find returns the name and ID of the one named, or with the ID, nameOrID;
// ok is false when the map lists neither.
func (m Names) Find(nameOrID string) (name, id string, ok bool) {
	if id, ok := m[nameOrID]; ok {
		return nameOrID, id, true
	}
	if name := m.NameOf(nameOrID); name != "" {
		return name, nameOrID, true
	}
	return "", "", false
}

// NameOf is the name of the one with that ID; "" if the map does not list
// it.
func (m Names) NameOf(id string) string {
	for name, i := range m {
		if i == id && id != "" {
			return name
		}
	}
	return ""
}

// Describe names an organization in messages: "name (ID)", or whichever
// of the two is known; "" when neither is.
func Describe(name, id string) string {
	switch {
	case name != "" && id != "" && name != id:
		return name + " (" + id + ")"
	case id != "":
		return id
	}
	return name
}

// Listed names them for an error about one that is not there: "it has:
// acme, globex", or "it has none".
func (m Names) Listed() string {
	if len(m) == 0 {
		return "it has none"
	}
	return "it has: " + strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
