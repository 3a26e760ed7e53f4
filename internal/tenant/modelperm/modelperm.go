// Package modelperm is the naming rule that ties a model to a permission of
// the API: the stack declares a model, the program makes it a permission,
// roles and client grants give it, Auth0 puts it in the token's permissions
// (and, for M2M clients, its scope), and the gateway checks it when a
// request names the model. One rule, used on both sides.
package modelperm

import (
	"errors"
	"fmt"
	"strings"
)

// Prefix starts every model permission: model:NAME, where NAME is the model
// exactly as clients send it in a request's "model" field.
const Prefix = "model:"

// MaxNameLength bounds a model name, so that its permission stays a
// reasonable part of a token.
const MaxNameLength = 200

// ErrBadName is wrapped by CheckName's errors.
var ErrBadName = errors.New("not a usable model name")

// Permission is the permission that lets a caller use the model.
func Permission(model string) string { return Prefix + model }

// Model returns the model a permission names, and whether it is a model
// permission at all.
func Model(permission string) (string, bool) {
	name, ok := strings.CutPrefix(permission, Prefix)
	return name, ok && name != ""
}

// CheckName reports why a model name cannot be a permission: a scope token
// is printable ASCII without spaces, quotes or backslashes (RFC 6749 section
// 3.3), since the scope claim is space-separated.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: it is empty", ErrBadName)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%w: %d characters, at most %d", ErrBadName, len(name), MaxNameLength)
	}
	for _, r := range name {
		if r <= ' ' || r > '~' || r == '"' || r == '\\' {
			return fmt.Errorf("%w: %q is not allowed (printable ASCII only, without spaces, quotes or backslashes, as in a scope)", ErrBadName, r)
		}
	}
	return nil
}
