package plan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/model-api-auth0/model-api-auth0/internal/plan/recorder"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// Secret is how a secret value is shown anywhere in a plan.
const Secret = stackconfig.Blinded

// Document is the stable, serializable form of a plan: what the golden files
// hold and what the replacement gate compares.
type Document struct {
	Project   string             `json:"project"`
	Stack     string             `json:"stack"`
	Resources []DocumentResource `json:"resources"`
	Outputs   map[string]any     `json:"outputs"`
}

// DocumentResource is one resource of a Document. Parent and DependsOn hold
// logical names; URN identifies the resource across plans.
type DocumentResource struct {
	URN            string         `json:"urn"`
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Parent         string         `json:"parent,omitempty"`
	Protect        bool           `json:"protect,omitempty"`
	RetainOnDelete bool           `json:"retainOnDelete,omitempty"`
	DependsOn      []string       `json:"dependsOn,omitempty"`
	Inputs         map[string]any `json:"inputs"`
}

// Document renders the plan in its stable form, secrets blinded.
func (p *Plan) Document() *Document {
	names := map[string]string{}
	for _, r := range p.Resources {
		names[r.URN] = r.Name
	}
	d := &Document{Project: stackconfig.Namespace, Stack: p.Stack, Outputs: map[string]any{}}
	for _, r := range p.Resources {
		dr := DocumentResource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: names[r.Parent],
			Protect: r.Protect, RetainOnDelete: r.RetainOnDelete, Inputs: map[string]any{},
		}
		for _, dep := range r.Dependencies {
			if dep != r.Parent {
				dr.DependsOn = append(dr.DependsOn, names[dep])
			}
		}
		slices.Sort(dr.DependsOn)
		for k, v := range r.Inputs {
			dr.Inputs[string(k)] = blind(v)
		}
		d.Resources = append(d.Resources, dr)
	}
	slices.SortStableFunc(d.Resources, func(a, b DocumentResource) int {
		return cmp.Or(cmp.Compare(typeRank(a.Type), typeRank(b.Type)), strings.Compare(a.Name, b.Name))
	})
	for name, e := range p.Exports {
		d.Outputs[name] = e.Value
		if e.Secret {
			d.Outputs[name] = Secret
		}
	}
	return d
}

// readingOrder is the order a reviewer reads a tenant in: the API and what
// it grants, where users live, who they belong to, then the clients.
var readingOrder = []string{"resourceServer", "resourceServerScopes", "role", "rolePermissions", "connection", "user",
	"organization", "organizationConnections", "organizationMembers", "organizationMemberRoles",
	"client", "clientCredentials", "clientCimd", "clientGrant"}

func typeRank(token string) int {
	mod := token[strings.Index(token, "/")+1 : strings.LastIndex(token, ":")]
	if i := slices.Index(readingOrder, mod); i >= 0 {
		return i
	}
	return len(readingOrder)
}

// blind turns a property value into plain JSON values, secrets replaced.
func blind(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Secret
	case v.IsOutput():
		if o := v.OutputValue(); o.Secret {
			return Secret
		} else if o.Known {
			return blind(o.Element)
		}
		return "(known after apply)"
	case v.IsArray():
		out := make([]any, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = blind(e)
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = blind(e)
		}
		return out
	case v.IsNull():
		return nil
	}
	return v.V
}

// JSON is the document as indented JSON with sorted keys: byte-for-byte
// stable across runs.
func (d *Document) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		panic(err) // only plain values are ever stored
	}
	return append(b, '\n')
}

// ReadDocument parses a document written by JSON.
func ReadDocument(b []byte) (*Document, error) {
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("not a plan document (write one with `go run . plan -format json`): %w", err)
	}
	return &d, nil
}

// compact renders a plain value on one line.
func compact(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = compact(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + compact(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case nil:
		return "null"
	case float64: // whole numbers as such: 1296000, not 1.296e+06
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// shortType is recorder.ShortType, kept here for the renderers.
func shortType(token string) string { return recorder.ShortType(token) }
