// Package auth0double is a test double of the Auth0 Pulumi provider
// (pulumi-auth0 3.49.0) that the real Pulumi engine talks to over gRPC, so
// that `pulumi preview`, `up` and `destroy` run end to end with no Auth0
// account and no network.
//
// It is driven by the provider's schema: Check refuses unknown properties,
// values of the wrong type, missing required inputs and the string values
// the provider validates (Allowed); Diff asks for a replacement when a
// willReplaceOnChanges property changes. Create, Read, Update and Delete
// keep the tenant in memory, assign what Auth0 assigns (client IDs, client
// secrets as secrets, user IDs), count every call by URN, and can be told
// to fail a create. Serve it, then point the engine at it with
// PULUMI_DEBUG_PROVIDERS=auth0:PORT.
package auth0double

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// ProviderVersion is the provider version the double stands for.
const ProviderVersion = "3.49.0"

// ErrInjected is the error of a create that FailCreate made fail.
var ErrInjected = errors.New("auth0double: injected failure (429 Too Many Requests)")

// Provider is the double. Its zero value is not usable; call New.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer
	schema *Schema

	mu          sync.Mutex
	byID        map[string]*Resource
	creates     map[string]int // by URN
	updates     map[string]int
	deletes     map[string]int
	createCalls int
	failAt      int // the create call that fails; 0 for none
	config      resource.PropertyMap
	secrets     []string
	memberships map[string]map[string]bool // organization ID to member user IDs: members.go
}

// New returns a double with an empty tenant.
func New(schema *Schema) *Provider {
	return &Provider{schema: schema, byID: map[string]*Resource{},
		creates: map[string]int{}, updates: map[string]int{}, deletes: map[string]int{}}
}

// Serve serves the double on a loopback port until ctx ends or stop is
// called.
func (p *Provider) Serve(ctx context.Context) (port int, stop func(), err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	srv := grpc.NewServer()
	pulumirpc.RegisterResourceProviderServer(srv, p)
	go func() { _ = srv.Serve(lis) }()
	ctx, cancel := context.WithCancel(ctx)
	go func() { <-ctx.Done(); srv.Stop() }()
	return lis.Addr().(*net.TCPAddr).Port, cancel, nil
}

// FailCreate makes the nth create from now (1 for the next) fail with
// ErrInjected, creating nothing; 0 clears it.
func (p *Provider) FailCreate(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failAt = 0
	if n > 0 {
		p.failAt = p.createCalls + n
	}
}

// Resources returns the resources the tenant holds, sorted by URN.
func (p *Provider) Resources() []Resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Resource
	for _, r := range p.byID {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.URN, b.URN) })
	return out
}

// Creates, Updates and Deletes count the completed calls by URN.
func (p *Provider) Creates() map[string]int { return p.counts(p.creates) }
func (p *Provider) Updates() map[string]int { return p.counts(p.updates) }
func (p *Provider) Deletes() map[string]int { return p.counts(p.deletes) }

func (p *Provider) counts(m map[string]int) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(m)
}

// Secrets returns every secret value the double generated (client secrets),
// to look for in what must not show them.
func (p *Provider) Secrets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.secrets)
}

// Config returns the provider configuration the engine last sent.
func (p *Provider) Config() resource.PropertyMap {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.config.Copy()
}

// The protocol.

func (p *Provider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: ProviderVersion}, nil
}

func (p *Provider) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: rpcFailures(p.schema.CheckConfig(news))}, nil
}

func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.config = args
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	failures := p.schema.CheckInputs(string(resource.URN(req.GetUrn()).Type()), news)
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: rpcFailures(failures)}, nil
}

func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := resource.URN(req.GetUrn())
	typ := string(urn.Type())
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if req.GetPreview() {
		return response(p.outputs(typ, inputs, nil, true), func(s *structpb.Struct) *pulumirpc.CreateResponse {
			return &pulumirpc.CreateResponse{Properties: s}
		})
	}
	p.createCalls++
	if p.createCalls == p.failAt {
		return nil, fmt.Errorf("creating %s: %w", urn.Name(), ErrInjected)
	}
	outputs := p.outputs(typ, inputs, nil, false)
	r := &Resource{ID: newID(typ, outputs), URN: string(urn), Type: typ, Inputs: inputs, Outputs: outputs}
	p.byID[r.ID] = r
	p.membershipCreated(r)
	p.creates[r.URN]++
	return response(outputs, func(s *structpb.Struct) *pulumirpc.CreateResponse {
		return &pulumirpc.CreateResponse{Id: r.ID, Properties: s}
	})
}

func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.byID[req.GetId()]
	if !ok || p.membershipRead(r) {
		delete(p.byID, req.GetId())
		return &pulumirpc.ReadResponse{}, nil // gone: the engine drops it
	}
	props, err := marshal(r.Outputs)
	if err != nil {
		return nil, err
	}
	inputs, err := marshal(r.Inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: r.ID, Properties: props, Inputs: inputs}, nil
}

func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := resource.URN(req.GetUrn())
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.byID[req.GetId()]
	if !ok {
		return nil, fmt.Errorf("updating %s: no resource with ID %q (404 Not Found)", urn.Name(), req.GetId())
	}
	outputs := p.outputs(r.Type, news, r.Outputs, req.GetPreview())
	if !req.GetPreview() {
		olds, err := unmarshal(req.GetOlds())
		if err != nil {
			return nil, err
		}
		p.membershipUpdated(r, olds, news)
		r.Inputs, r.Outputs = news, outputs
		p.updates[r.URN]++
	}
	return response(outputs, func(s *structpb.Struct) *pulumirpc.UpdateResponse {
		return &pulumirpc.UpdateResponse{Properties: s}
	})
}

func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.byID[req.GetId()]; ok {
		p.membershipDeleted(r)
		delete(p.byID, r.ID)
		p.deletes[r.URN]++
	}
	return &emptypb.Empty{}, nil
}

var unmarshalOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, unmarshalOptions)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
}

func response[T any](outputs resource.PropertyMap, wrap func(*structpb.Struct) T) (T, error) {
	s, err := marshal(outputs)
	if err != nil {
		var zero T
		return zero, err
	}
	return wrap(s), nil
}

func rpcFailures(fs []Failure) []*pulumirpc.CheckFailure {
	var out []*pulumirpc.CheckFailure
	for _, f := range fs {
		out = append(out, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return out
}
