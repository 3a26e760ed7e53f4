package tenant_test

import (
	"fmt"
	"testing"
)

func TestDevStackSmoke(t *testing.T) {
	p := evaluate(t, "dev", stackConfig(t, "dev"))
	for _, r := range p.Resources {
		fmt.Println(r.URN, r.Protect, r.RetainOnDelete, r.Version, r.Dependencies)
		fmt.Println("   ", r.Inputs)
	}
	for k, v := range p.Exports {
		fmt.Println(k, v)
	}
}
