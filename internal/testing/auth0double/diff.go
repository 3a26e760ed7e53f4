package auth0double

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return p.diff(req, nil)
}

func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, ok := p.schema.Resources[string(resource.URN(req.GetUrn()).Type())]
	if !ok {
		return nil, fmt.Errorf("unknown resource type of %s", req.GetUrn())
	}
	return p.diff(req, r.Inputs)
}

// diff compares old and new inputs; a change of a property props marks
// willReplaceOnChanges asks for a replacement.
func (p *Provider) diff(req *pulumirpc.DiffRequest, props map[string]*Property) (*pulumirpc.DiffResponse, error) {
	oldStruct := req.GetOldInputs()
	if oldStruct == nil {
		oldStruct = req.GetOlds()
	}
	olds, err := unmarshal(oldStruct)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	res := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true,
		DetailedDiff: map[string]*pulumirpc.PropertyDiff{}}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		name := string(k)
		if slices.Contains(req.GetIgnoreChanges(), name) {
			continue
		}
		o, n := olds[k], news[k]
		if o.DeepEquals(n) {
			continue
		}
		replace := props[name] != nil && props[name].WillReplaceOnChanges
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case o.IsNull() && replace:
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case o.IsNull():
			kind = pulumirpc.PropertyDiff_ADD
		case n.IsNull() && replace:
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		case n.IsNull():
			kind = pulumirpc.PropertyDiff_DELETE
		case replace:
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
		}
		res.Changes = pulumirpc.DiffResponse_DIFF_SOME
		res.Diffs = append(res.Diffs, name)
		res.DetailedDiff[name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		if replace {
			res.Replaces = append(res.Replaces, name)
		}
	}
	return res, nil
}
