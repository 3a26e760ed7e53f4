package strictjson

import "strconv"

// Pulumi hands a program every config value as a string, and inside a
// structured value a leaf can still be a string where a boolean or a number
// is meant: a top-level key (`pulumi config set model-api-auth0:protect
// true` always stores a string), a value set with `pulumi config set --path
// --type string` or `--secret` (an encrypted leaf decrypts to a string), or a
// quoted YAML scalar. The CLI itself turns an untyped `--path` value into a
// boolean or a number by a fixed rule (config.coerce in the Pulumi SDK);
// ParseBool and ParseInt accept exactly the strings that rule converts, so a
// value means the same whether the CLI stored it typed or as a string, and
// nothing else ("yes", "1.0", "7200s", " 7200") is read as a boolean or a
// number.

// ParseBool returns the boolean s stands for: only "true" and "false".
// strconv.ParseBool would also take "1", "t" and "TRUE", which the Pulumi
// CLI treats as strings.
func ParseBool(s string) (b, ok bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// ParseInt returns the integer s stands for: a base-10 integer with an
// optional sign, and no leading zero (the CLI keeps "0123" a string, so that
// IDs and codes keep their zeros).
func ParseInt(s string) (int64, bool) {
	if len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}
