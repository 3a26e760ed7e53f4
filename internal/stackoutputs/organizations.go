package stackoutputs

import (
	"maps"
	"slices"
	"strings"
)

// Organizations maps the stack's organization names to their IDs. Auth0's
// organization parameter takes an ID; people and flags name organizations,
// and tokens carry the ID (org_id) without the name unless the tenant adds it.
type Organizations map[string]string

// Find returns the name and ID of the organization named, or with the ID,
// nameOrID; ok is false when the map lists neither.
func (m Organizations) Find(nameOrID string) (name, id string, ok bool) {
	if id, ok := m[nameOrID]; ok {
		return nameOrID, id, true
	}
	if name := m.NameOf(nameOrID); name != "" {
		return name, nameOrID, true
	}
	return "", "", false
}

// NameOf is the name of the organization with that ID; "" if the map does
// not list it.
func (m Organizations) NameOf(id string) string {
	for name, i := range m {
		if i == id && id != "" {
			return name
		}
	}
	return ""
}

// Listed names the organizations for an error about one that is not there:
// "it has: acme, globex", or "it has none".
func (m Organizations) Listed() string {
	if len(m) == 0 {
		return "it has none"
	}
	return "it has: " + strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
