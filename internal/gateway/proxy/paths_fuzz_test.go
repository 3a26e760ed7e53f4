package proxy

import (
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzAmbiguity: a path that passes decodes to one clean path, which
// neither a second decoding nor Unicode normalisation changes into
// another route.
func FuzzAmbiguity(f *testing.F) {
	for _, seed := range []string{"/v1/models", "/v1/models/%2e%2e", "/a/./b", "/a//b", "/a%c0%ae", "/caf%C3%A9", "/%ef%bc%8f", "/a;b", "/%41"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if ambiguity(p) != "" {
			return
		}
		decoded, err := url.PathUnescape(p)
		if err != nil {
			t.Fatalf("%q passed but does not decode: %v", p, err)
		}
		if !utf8.ValidString(decoded) || strings.ContainsAny(decoded, "\\;%?#\x00") {
			t.Fatalf("%q passed but decodes to %q", p, decoded)
		}
		if clean := path.Clean(decoded); clean != strings.TrimSuffix(decoded, "/") && clean != decoded {
			t.Fatalf("%q passed but %q cleans to %q", p, decoded, clean)
		}
		if nfkc := norm.NFKC.String(decoded); strings.Count(nfkc, "/") != strings.Count(decoded, "/") || strings.Count(nfkc, ".") != strings.Count(decoded, ".") {
			t.Fatalf("%q passed but normalises to %q", p, nfkc)
		}
	})
}
