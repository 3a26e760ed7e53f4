package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/guard"
)

// identityHeaders are set by the gateway only.
var identityHeaders = []string{HeaderSubject, HeaderClientID, HeaderOrgID}

// dropSpoofable removes from a request on its way upstream every header a
// caller could use to pass for someone else: the identity headers in any
// case, and every header with an underscore in its name. CGI and WSGI
// servers, and nginx with underscores_in_headers, read X_Auth_Subject as
// X-Auth-Subject (both become HTTP_X_AUTH_SUBJECT), and likewise a forged
// X_Forwarded_For; nginx drops such headers by default for that reason.
func dropSpoofable(h http.Header) {
	for name := range h {
		if strings.ContainsRune(name, '_') || isIdentityHeader(name) {
			delete(h, name)
		}
	}
}

func isIdentityHeader(name string) bool {
	for _, id := range identityHeaders {
		if strings.EqualFold(name, id) {
			return true
		}
	}
	return false
}

// refuseFormToken answers 400 to a form-encoded body carrying an
// access_token (RFC 6750 2.2). guard never reads a token there, so it is
// not a way in; this keeps it from reaching the upstream too. It runs
// after the token check, so only an authenticated caller's body is read,
// and within the route's body limit.
func refuseFormToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasBody(r) || !isFormBody(r.Header.Get("Content-Type")) {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			bodyError(w, r, err)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			guard.WriteJSONError(w, http.StatusBadRequest, "the form body is not valid application/x-www-form-urlencoded: "+err.Error())
			return
		}
		for name := range form {
			if strings.EqualFold(name, "access_token") {
				refusedBecause(r, "access_token in a form body")
				guard.WriteJSONError(w, http.StatusBadRequest, "access_token in the body is not accepted; send `Authorization: Bearer <token>`")
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// isFormBody reports whether a Content-Type is a form's. Its media type is
// compared as mime.ParseMediaType would find it (case-insensitive, before
// any parameter), without parsing the parameters into a map for every
// JSON body.
func isFormBody(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded")
}
