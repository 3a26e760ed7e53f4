// Package recorder is a Pulumi mock engine that records every resource a
// program registers (inputs, options, dependencies) and answers with
// deterministic, readable placeholder outputs. The tests, the benchmarks and
// `go run . plan` evaluate the real program under it: no CLI, no network.
package recorder

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registration as the engine saw it.
type Resource struct {
	URN            string
	Type           string
	Name           string
	Parent         string // URN; "" for top-level resources
	ID             string
	Inputs         resource.PropertyMap
	Outputs        resource.PropertyMap
	Protect        bool
	RetainOnDelete bool
	Version        string              // provider plugin version
	Dependencies   []string            // URNs, sorted
	PropertyDeps   map[string][]string // input name to URNs
}

// Recorder implements pulumi.MockResourceMonitor.
type Recorder struct {
	project, stack string

	mu        sync.Mutex
	resources []*Resource
}

// New returns a recorder for the given project and stack names.
func New(project, stack string) *Recorder { return &Recorder{project: project, stack: stack} }

// RunOption runs a program under this recorder with the given raw config.
func (r *Recorder) RunOption(config map[string]string, secretKeys []string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		pulumi.WithMocks(r.project, r.stack, r)(info)
		info.Config = config
		info.ConfigSecretKeys = secretKeys
	}
}

// Reference is the placeholder value of a resource's output that only the
// provider knows, such as an ID: ${name.property}.
func Reference(name, property string) string { return "${" + name + "." + property + "}" }

// computed are the outputs that Auth0 assigns, by type token.
var computed = map[string][]string{
	"auth0:index/client:Client":         {"clientId"},
	"auth0:index/clientCimd:ClientCimd": {"clientId"},
	"auth0:index/user:User":             {"userId"},
}

// secretComputed are computed outputs that are secrets.
var secretComputed = map[string][]string{
	"auth0:index/clientCredentials:ClientCredentials": {"clientSecret"},
}

// NewResource records a registration and returns the resource's ID and state.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	id := Reference(args.Name, "id")
	outputs := args.Inputs
	if len(computed[args.TypeToken])+len(secretComputed[args.TypeToken]) > 0 {
		outputs = args.Inputs.Copy()
	}
	for _, p := range computed[args.TypeToken] {
		outputs[resource.PropertyKey(p)] = resource.NewProperty(Reference(args.Name, p))
	}
	for _, p := range secretComputed[args.TypeToken] {
		outputs[resource.PropertyKey(p)] = resource.MakeSecret(resource.NewProperty(Reference(args.Name, p)))
	}
	rec := &Resource{Type: args.TypeToken, Name: args.Name, ID: id, Inputs: args.Inputs, Outputs: outputs}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
		rec.Version = rpc.GetVersion()
		rec.Dependencies = slices.Sorted(slices.Values(rpc.GetDependencies()))
		rec.PropertyDeps = map[string][]string{}
		for k, v := range rpc.GetPropertyDependencies() {
			if urns := v.GetUrns(); len(urns) > 0 {
				rec.PropertyDeps[k] = slices.Sorted(slices.Values(urns))
			}
		}
	}
	rec.URN = r.urn(rec.Parent, rec.Type, rec.Name)
	r.mu.Lock()
	r.resources = append(r.resources, rec)
	r.mu.Unlock()
	return id, outputs, nil
}

// Call answers invokes with their arguments; the program makes none.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

// urn computes a URN the way the Pulumi engine does.
func (r *Recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType, tokens.Type(typ), name))
}

// Resources returns the registrations sorted by URN: registration happens
// concurrently, so arrival order is not stable.
func (r *Recorder) Resources() []*Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.resources)
	slices.SortFunc(out, func(a, b *Resource) int { return cmp.Compare(a.URN, b.URN) })
	return out
}

// ShortType turns auth0:index/clientGrant:ClientGrant into auth0:ClientGrant.
func ShortType(token string) string {
	pkg, _, _ := strings.Cut(token, ":")
	return pkg + ":" + token[strings.LastIndex(token, ":")+1:]
}
