// Package strictjson decodes configuration JSON into Go structs strictly: an
// unknown key, or a value of the wrong kind, is a problem reported with its
// full path (clients[batch-scorer].scopes[1]) and, for unknown keys, the
// closest known key. Every problem is reported, not just the first. A
// boolean or a whole number may also be given in the string forms the Pulumi
// CLI writes (see ParseBool and ParseInt).
package strictjson

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
)

// Problem is one thing wrong with a configuration value.
type Problem struct {
	Path    string // e.g. model-api-auth0:clients[batch-scorer].scopes[1]
	Message string
	// Unread is set when the value at Path could not be read at all (wrong
	// kind, bad syntax): checks of what it should hold would only repeat the
	// problem. An unknown key leaves the rest of its object read.
	Unread bool
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Decode parses raw into v (a pointer) and returns every problem found. v is
// filled with everything that could be read, so that it can still be
// checked further.
func Decode(path, raw string, v any) []Problem {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return []Problem{{Path: path, Message: "not valid structured configuration (" + err.Error() + ")", Unread: true}}
	}
	target := reflect.New(reflect.TypeOf(v).Elem())
	var d decoder
	d.decode(tree, target.Elem(), &location{key: path})
	reflect.ValueOf(v).Elem().Set(target.Elem())
	return d.problems
}

// location is a path in the value, rendered only when a problem is found:
// most values have none, and a large configuration has many values.
type location struct {
	up     *location
	key    string // an object key, or the root's name
	elem   any    // a list element, for its label
	index  int
	inList bool
}

func (l *location) String() string {
	if l.up == nil {
		return l.key
	}
	if l.inList {
		return l.up.String() + "[" + label(l.elem, l.index) + "]"
	}
	return l.up.String() + "." + l.key
}

type decoder struct{ problems []Problem }

func (d *decoder) add(at *location, format string, args ...any) {
	d.problems = append(d.problems, Problem{Path: at.String(), Message: fmt.Sprintf(format, args...)})
}

// unread reports a value of the wrong kind.
func (d *decoder) unread(at *location, format string, args ...any) {
	d.add(at, format, args...)
	d.problems[len(d.problems)-1].Unread = true
}

// decode checks value against dst's type and stores it in dst.
func (d *decoder) decode(value any, dst reflect.Value, at *location) {
	if dst.Kind() == reflect.Pointer {
		if value == nil {
			return
		}
		// An optional value of the wrong kind stays unset, as if absent, so
		// that defaults apply and nothing is checked twice.
		elem := reflect.New(dst.Type().Elem())
		before := len(d.problems)
		d.decode(value, elem.Elem(), at)
		if len(d.problems) == before || !d.problems[before].Unread || d.problems[before].Path != at.String() {
			dst.Set(elem)
		}
		return
	}
	t := dst.Type()
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := value.(map[string]any)
		if !ok {
			d.unread(at, "want an object with keys %s, got %s", strings.Join(typeFields(t).names, ", "), describe(value))
			return
		}
		fields := typeFields(t)
		var unknown []string
		for key := range obj {
			if _, known := fields.index[key]; !known {
				unknown = append(unknown, key)
			}
		}
		slices.Sort(unknown)
		for _, key := range unknown {
			d.add(at, "unknown key %q%s", key, Suggest(key, fields.names))
		}
		for i, name := range fields.names {
			if v, ok := obj[name]; ok {
				d.decode(v, dst.Field(fields.field[i]), &location{up: at, key: name})
			}
		}
	case reflect.Slice:
		list, ok := value.([]any)
		if !ok {
			d.unread(at, "want a list, got %s", describe(value))
			return
		}
		dst.Set(reflect.MakeSlice(t, len(list), len(list)))
		for i, elem := range list {
			d.decode(elem, dst.Index(i), &location{up: at, elem: elem, index: i, inList: true})
		}
	case reflect.Map:
		obj, ok := value.(map[string]any)
		if !ok {
			d.unread(at, "want an object, got %s", describe(value))
			return
		}
		dst.Set(reflect.MakeMapWithSize(t, len(obj)))
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			elem := reflect.New(t.Elem()).Elem()
			d.decode(obj[key], elem, &location{up: at, key: key})
			dst.SetMapIndex(reflect.ValueOf(key), elem)
		}
	case reflect.String:
		s, ok := value.(string)
		if !ok {
			d.unread(at, "want a string, got %s", describe(value))
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := value.(bool)
		if s, isString := value.(string); isString {
			b, ok = ParseBool(s)
		}
		if !ok {
			d.unread(at, "want true or false, got %s", describe(value))
			return
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int64:
		i, ok := wholeNumber(value)
		if !ok {
			d.unread(at, "want a whole number, got %s", describe(value))
			return
		}
		dst.SetInt(i)
	case reflect.Float64:
		f, ok := number(value)
		if !ok {
			d.unread(at, "want a number, got %s", describe(value))
			return
		}
		dst.SetFloat(f)
	default:
		panic("strictjson: unsupported field type " + t.String())
	}
}

// wholeNumber reads an integer from a JSON number or from the string form
// of one (see ParseInt).
func wholeNumber(value any) (int64, bool) {
	switch v := value.(type) {
	case json.Number:
		i, err := v.Int64()
		return i, err == nil
	case string:
		return ParseInt(v)
	}
	return 0, false
}

// number reads a finite number from a JSON number or from the string form
// of one, as a YAML file may quote it.
func number(value any) (float64, bool) {
	var f float64
	var err error
	switch v := value.(type) {
	case json.Number:
		f, err = v.Float64()
	case string:
		f, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
	default:
		return 0, false
	}
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// fields are a struct type's JSON keys in declaration order.
type fields struct {
	names []string
	field []int // struct field index of names[i]
	index map[string]int
}

var fieldCache sync.Map // reflect.Type to *fields

func typeFields(t reflect.Type) *fields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fields)
	}
	f := &fields{index: map[string]int{}}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			f.index[name] = len(f.names)
			f.names = append(f.names, name)
			f.field = append(f.field, i)
		}
	}
	fieldCache.Store(t, f)
	return f
}

// label names a list element in a path: its "name", "email" or "userId" if
// it has one, so that a path survives reordering; else its index.
func label(elem any, index int) string {
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
