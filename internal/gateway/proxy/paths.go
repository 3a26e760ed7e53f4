package proxy

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// checkPath refuses, with 400 and before any routing, a request path that
// another hop (the model server, a framework, a cache, a WAF) could
// normalise into another route. What passes is forwarded
// byte for byte, so the upstream sees the very path that was authorised.
func checkPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reason := ambiguity(requestPath(r)); reason != "" {
			refusedBecause(r, "ambiguous path: "+reason)
			guard.CloseUnreadBody(w, r)
			guard.WriteJSONError(w, http.StatusBadRequest, "the path is refused: "+reason)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestPath is the path as the client sent it, still percent-encoded.
// A target in absolute form (http://host/path, which RFC 9112 3.2.2 says a
// server must accept) is checked by its path: the gateway forwards every
// request to its one upstream, whatever authority the target names, and
// never uses that authority (or Host) for anything else.
func requestPath(r *http.Request) string {
	if r.RequestURI == "" { // a request made in a test, not read from a connection
		return r.URL.EscapedPath()
	}
	p, _, _ := strings.Cut(r.RequestURI, "?")
	if rest, ok := cutScheme(p); ok {
		authority, path, found := strings.Cut(rest, "/")
		if strings.Contains(authority, "@") {
			return "@" // user information: refused by ambiguity
		}
		if !found {
			return "/" // http://host is the root, as RFC 9112 says
		}
		return "/" + path
	}
	return p
}

// cutScheme strips an http:// or https:// scheme (in any case) from p.
func cutScheme(p string) (string, bool) {
	for _, scheme := range [...]string{"http://", "https://"} {
		if len(p) >= len(scheme) && strings.EqualFold(p[:len(scheme)], scheme) {
			return p[len(scheme):], true
		}
	}
	return "", false
}

// ambiguity says why the raw path p is ambiguous, or "" when it is not.
func ambiguity(p string) string {
	if p == "@" {
		return "user information in the request target"
	}
	if !strings.HasPrefix(p, "/") {
		return "want a path starting with /, or an http(s) URL, not * or another form"
	}
	escaped := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "invalid percent-encoding"
			}
			if reason := encodedReason(unhex(p[i+1])<<4 | unhex(p[i+2])); reason != "" {
				return reason
			}
			escaped = true
			i += 2
		case c == '\\':
			return "backslash (some servers read it as /)"
		case c == ';':
			return "; parameters (some servers strip them, others do not)"
		case !isPathChar(c):
			return fmt.Sprintf("%q is not allowed in a path (RFC 3986); percent-encode it", c)
		}
	}
	if strings.Contains(p, "//") {
		return "empty segment (//)"
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return "dot segment (. or ..)"
		}
	}
	if !escaped { // plain ASCII: nothing left to decode or normalise
		return ""
	}
	decoded, _ := url.PathUnescape(p) // the escapes were checked above
	if !utf8.ValidString(decoded) {
		return "percent-encoded bytes that are not UTF-8 (such as an overlong encoding)"
	}
	for _, r := range decoded {
		if r >= utf8.RuneSelf && strings.ContainsAny(norm.NFKC.String(string(r)), `./\;%?#`) {
			return "a character that Unicode normalisation turns into . / \\ ; % ? or #"
		}
	}
	return ""
}

// encodedReason refuses percent-encoded bytes that decode into path syntax.
func encodedReason(b byte) string {
	switch {
	case b == '.' || b == '/' || b == '\\':
		return "percent-encoded . / or \\ (%2e, %2f, %5c)"
	case b == '%':
		return "double percent-encoding (%25)"
	case b == ';' || b == '?' || b == '#':
		return "percent-encoded ; ? or # (%3b, %3f, %23)"
	case b < 0x20 || b == 0x7f:
		return "percent-encoded control character (such as %00)"
	}
	return ""
}

// isPathChar reports whether c may appear unencoded in a path segment
// (RFC 3986 pchar, less the ; handled above): anything else, such as #,
// a space, a control character or a byte of UTF-8, could be cut or
// re-encoded differently by another hop.
func isPathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,=:@/", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
