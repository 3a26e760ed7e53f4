// Package strictjson decodes configuration JSON into Go structs strictly: an
// unknown key, or a value of the wrong kind, is a problem reported with its
// full path (clients[batch-scorer].scopes[1]) and, for unknown keys, the
// closest known key. Every problem is reported, not just the first.
package strictjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
)

// Problem is one thing wrong with a configuration value.
type Problem struct {
	Path    string // e.g. model-api-auth0:clients[batch-scorer].scopes[1]
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Decode parses raw into v (a pointer) and returns every problem found. v is
// filled only when there are none.
func Decode(path, raw string, v any) []Problem {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return []Problem{{path, "not valid structured configuration (" + err.Error() + ")"}}
	}
	var c checker
	c.check(tree, reflect.TypeOf(v).Elem(), path)
	if len(c.problems) > 0 {
		return c.problems
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return []Problem{{path, err.Error()}}
	}
	return nil
}

type checker struct{ problems []Problem }

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{path, fmt.Sprintf(format, args...)})
}

func (c *checker) check(value any, t reflect.Type, path string) {
	if t.Kind() == reflect.Pointer {
		if value == nil {
			return
		}
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := value.(map[string]any)
		if !ok {
			c.add(path, "want an object with keys %s, got %s", strings.Join(fieldNames(t), ", "), describe(value))
			return
		}
		fields := fieldsByName(t)
		for _, key := range sortedKeys(obj) {
			field, known := fields[key]
			if !known {
				c.add(path, "unknown key %q%s", key, Suggest(key, fieldNames(t)))
				continue
			}
			c.check(obj[key], field.Type, path+"."+key)
		}
	case reflect.Slice:
		list, ok := value.([]any)
		if !ok {
			c.add(path, "want a list, got %s", describe(value))
			return
		}
		for i, elem := range list {
			c.check(elem, t.Elem(), path+"["+Label(elem, i)+"]")
		}
	case reflect.Map:
		obj, ok := value.(map[string]any)
		if !ok {
			c.add(path, "want an object, got %s", describe(value))
			return
		}
		for _, key := range sortedKeys(obj) {
			c.check(obj[key], t.Elem(), path+"."+key)
		}
	case reflect.String:
		if _, ok := value.(string); !ok {
			c.add(path, "want a string, got %s", describe(value))
		}
	case reflect.Bool:
		if _, ok := value.(bool); !ok {
			c.add(path, "want true or false, got %s", describe(value))
		}
	case reflect.Int, reflect.Int64:
		n, ok := value.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			c.add(path, "want a whole number, got %s", describe(value))
		}
	default:
		panic("strictjson: unsupported field type " + t.String())
	}
}

// Label names a list element in a path: its "name", "email" or "userId" if
// it has one, so that a path survives reordering; else its index.
func Label(elem any, index int) string {
	if obj, ok := elem.(map[string]any); ok {
		for _, key := range []string{"name", "email", "userId"} {
			if s, ok := obj[key].(string); ok && s != "" {
				return s
			}
		}
	}
	return fmt.Sprint(index)
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return fmt.Sprintf("the string %q", v)
	case json.Number:
		return "the number " + v.String()
	case bool:
		return fmt.Sprint(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func fieldsByName(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = f
		}
	}
	return fields
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// Suggest returns `; did you mean "x"?` for the known name closest to name
// (a name it abbreviates, else the nearest by edit distance), or the list of
// known names when none is close enough to be a likely typo.
func Suggest(name string, known []string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", 1<<30
	for _, k := range known {
		kl := strings.ToLower(k)
		d := levenshtein.Distance(lower, kl, nil)
		if len(lower) >= 3 && strings.HasPrefix(kl, lower) {
			d = 0
		}
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" || bestDist > max(2, len(best)/3) {
		return "; known keys: " + strings.Join(known, ", ")
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
