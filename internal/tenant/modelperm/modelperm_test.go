package modelperm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

func TestPermissionRoundTrip(t *testing.T) {
	for _, name := range []string{"llama-3.1-8b", "meta-llama/Llama-3.1-70B-Instruct", "gpt:oss"} {
		p := modelperm.Permission(name)
		if !strings.HasPrefix(p, "model:") {
			t.Errorf("Permission(%q) = %q, want the model: prefix", name, p)
		}
		if got, ok := modelperm.Model(p); !ok || got != name {
			t.Errorf("Model(%q) = %q, %v; want %q, true", p, got, ok, name)
		}
	}
	for _, notModel := range []string{"invoke:models", "model:", "models:x", ""} {
		if got, ok := modelperm.Model(notModel); ok {
			t.Errorf("Model(%q) = %q, true; want not a model permission", notModel, got)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"llama-3.1-8b", true},
		{"meta-llama/Llama-3.1-70B-Instruct", true},
		{"", false},
		{"two words", false},
		{"tab\there", false},
		{`quote"d`, false},
		{`back\slash`, false},
		{"é-model", false},
		{strings.Repeat("m", modelperm.MaxNameLength), true},
		{strings.Repeat("m", modelperm.MaxNameLength+1), false},
	} {
		err := modelperm.CheckName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, modelperm.ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want it to wrap ErrBadName", tc.name, err)
		}
	}
}
