// Package stackconfig reads a project's Pulumi.yaml and a Pulumi.<stack>.yaml
// with the Pulumi SDK's own loaders and returns the configuration the engine
// would hand the program, with every encrypted (secure:) value blinded.
package stackconfig

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Blinded is the value every secure: config value is replaced with.
const Blinded = "[secret]"

// Config is a stack's configuration as the program receives it.
type Config struct {
	Values map[string]string // "namespace:key" to value; objects and lists as JSON
}

// Load reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml.
func Load(dir, stack string) (*Config, error) {
	return LoadFile(filepath.Join(dir, "Pulumi.yaml"), filepath.Join(dir, "Pulumi."+stack+".yaml"))
}

// LoadFile reads the given project file and stack file.
func LoadFile(projectFile, stackFile string) (*Config, error) {
	proj, err := workspace.LoadProject(projectFile)
	if err != nil {
		return nil, err
	}
	sink := diag.DefaultSink(io.Discard, os.Stderr, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, stackFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stackFile, err)
	}
	plain, err := ps.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stackFile, err)
	}
	c := &Config{Values: map[string]string{}}
	for k, v := range plain {
		c.Values[k.String()] = v
	}
	// Project-level defaults apply where the stack file says nothing.
	for key, decl := range proj.Config {
		if _, set := c.Values[key]; set || decl.Default == nil {
			continue
		}
		c.Values[key], err = render(decl.Default)
		if err != nil {
			return nil, fmt.Errorf("default of %s in %s: %w", key, projectFile, err)
		}
	}
	return c, nil
}

// render turns a YAML default into the string form the engine passes.
func render(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
