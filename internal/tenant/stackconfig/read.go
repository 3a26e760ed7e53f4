package stackconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Blinded is the value every secure: config value is replaced with.
const Blinded = "[secret]"

// Read reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml.
func Read(dir, stack string) (map[string]string, error) {
	return ReadFile(filepath.Join(dir, "Pulumi.yaml"), filepath.Join(dir, "Pulumi."+stack+".yaml"))
}

// ReadFile returns the configuration the Pulumi engine would hand the program
// for the given project file and stack file: "namespace:key" to value,
// objects and lists as JSON, every encrypted (secure:) value Blinded, and the
// project's defaults where the stack file says nothing.
//
// It reads the files as the Pulumi SDK's loaders do (a test holds it to
// them) without linking the SDK, so that the gateway's -dev tenant and the
// dev tenant's command read stack files and stay small. Where the SDK would
// read a missing stack file as an empty one, ReadFile says it is missing.
// It does not check Pulumi.yaml's declarations (types, defaults of the
// declared type): the Pulumi CLI does, and internal/testing/enginetest runs every
// stack file of the repository through it.
func ReadFile(projectFile, stackFile string) (map[string]string, error) {
	project, err := readProject(projectFile)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(stackFile) // its error names the file
	if err != nil {
		return nil, err
	}
	values, err := parseStack(b, project.Name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stackFile, err)
	}
	for key, decl := range project.Config {
		key = namespaced(project.Name, key)
		def, ok := projectDefault(project.Name, key, decl)
		if _, set := values[key]; set || !ok {
			continue
		}
		if values[key], err = text(def); err != nil {
			return nil, fmt.Errorf("default of %s in %s: %w", key, projectFile, err)
		}
	}
	return values, nil
}

type projectFile struct {
	Name   string         `yaml:"name"`
	Config map[string]any `yaml:"config"`
}

func readProject(path string) (*projectFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not read '%s': %w", path, err)
	}
	var p projectFile
	if err := yaml.Unmarshal(withoutBOM(b), &p); err != nil {
		return nil, fmt.Errorf("could not unmarshal '%s': %w", path, err)
	}
	if p.Name == "" {
		return nil, fmt.Errorf("could not validate '%s': project is missing a 'name' attribute", path)
	}
	return &p, nil
}

// projectDefault is the default a key of Pulumi.yaml declares: its default
// attribute, or the value itself in the short form (`key: value`), which
// means a default only for the project's own keys.
func projectDefault(project, key string, decl any) (any, bool) {
	if d, ok := decl.(map[string]any); ok {
		def, ok := d["default"]
		return def, ok && def != nil
	}
	return decl, decl != nil && strings.HasPrefix(key, project+":")
}

func parseStack(b []byte, project string) (map[string]string, error) {
	var doc any
	if err := yaml.Unmarshal(withoutBOM(b), &doc); err != nil {
		return nil, err
	}
	var config map[string]any
	switch doc := doc.(type) {
	case nil: // an empty file
	case map[string]any:
		switch c := doc["config"].(type) {
		case nil:
		case map[string]any:
			config = c
		default:
			return nil, fmt.Errorf("config: want a mapping of keys (namespace:name) to values")
		}
	default:
		return nil, fmt.Errorf("want a mapping with a config key, as `pulumi config set` writes it")
	}
	values := map[string]string{}
	written := map[string]string{} // the key as the file writes it
	// In order, so that the same file always gets the same error.
	for _, key := range slices.Sorted(maps.Keys(config)) {
		value := config[key]
		full, err := parseKey(namespaced(project, key))
		if err != nil {
			return nil, err
		}
		if other, twice := written[full]; twice {
			return nil, fmt.Errorf("%s is set twice, as %q and as %q: keep one", full, other, key)
		}
		written[full] = key
		if values[full], err = text(value); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	return values, nil
}

func withoutBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

// namespaced puts a key the file writes without a namespace in the project's.
func namespaced(project, key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return project + ":" + key
}

// parseKey accepts namespace:name, and the old form namespace:config:name.
func parseKey(key string) (string, error) {
	parts := strings.Split(key, ":")
	switch {
	case len(parts) == 2:
		return key, nil
	case len(parts) == 3 && parts[1] == "config" && parts[0] != "" && parts[2] != "":
		return parts[0] + ":" + parts[2], nil
	}
	return "", fmt.Errorf("could not parse %s as a configuration key (configuration keys should be of the form `<namespace>:<name>`)", key)
}

// text is a value as the engine passes it: a string as it is (a YAML
// timestamp as Go prints it, null as empty), a secret blinded, anything else
// as JSON.
func text(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case time.Time:
		return v.String(), nil
	}
	if secret(v) {
		return Blinded, nil
	}
	switch v.(type) {
	case map[string]any, map[any]any, []any:
		var err error
		if v, err = blind(v); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// secret reports whether v is an encrypted value: {secure: ciphertext}.
func secret(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m["secure"].(string)
	return ok
}

// blind replaces the encrypted values inside an object or a list with
// Blinded. Numbers in them become what the SDK makes of them: it passes
// them through JSON as int64 or float64.
func blind(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if secret(v) {
			return Blinded, nil
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			var err error
			if out[k], err = blind(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[any]any: // a mapping with a key that is not a string
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = e
		}
		return blind(m)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = blind(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case uint64:
		if v > math.MaxInt64 {
			return float64(v), nil
		}
	case time.Time:
		return v.String(), nil
	}
	return v, nil
}
