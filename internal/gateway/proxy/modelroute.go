package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// modelRouter enforces models, after the route's token check: a request
// whose JSON body names a model needs the model's permission, and goes to
// one of its servers (balanced, below); GET /v1/models and
// /v1/models/{model} are answered from the configuration, with the
// caller's models only. Any other request goes to the default upstream.
type modelRouter struct {
	next     http.Handler
	guard    *guard.Validator // challenges a model's refusal
	byName   map[string]*routedModel
	list     []*routedModel // in the file's order
	fallback bool           // there is a default upstream
	// meterStreams: the usage of responses is read, so streams are made
	// to report it (includeusage.go).
	meterStreams bool
	created      int64 // the models' "created": when the gateway started
}

type routedModel struct {
	Model
	servers    *servers
	permission string // modelperm.Permission(Name), made once
}

func newModelRouter(next http.Handler, cfg Config, v *guard.Validator) *modelRouter {
	m := &modelRouter{next: next, guard: v, byName: map[string]*routedModel{}, fallback: cfg.Upstream != nil, meterStreams: readsUsage(cfg), created: cfg.now().Unix()}
	for _, model := range cfg.Models {
		rm := &routedModel{Model: model, servers: newServers(model.Servers, cfg.setAside(), cfg.now), permission: modelperm.Permission(model.Name)}
		m.byName[model.Name], m.list = rm, append(m.list, rm)
	}
	return m
}

func (m *modelRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, _ := guard.IdentityFrom(r.Context())
	if r.Method == http.MethodGet && id != nil {
		if r.URL.Path == "/v1/models" {
			m.listModels(w, id)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, "/v1/models/"); ok {
			if model := m.allowed(w, r, id, name); model != nil {
				writeJSON(w, m.object(model))
			}
			return
		}
	}
	var name string
	var found bool
	var body []byte
	if hasBody(r) {
		var err error
		body, err = readBody(r)
		if err != nil {
			bodyError(w, r, err)
			return
		}
		// The model server gets these very bytes, with their length.
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r.TransferEncoding = nil
		if name, found, err = requestModel(body); err != nil {
			refusedBecause(r, "model: "+err.Error())
			refuse(w, r, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
	}
	if !found {
		if !m.fallback {
			refusedBecause(r, "no model named, no default upstream")
			refuse(w, r, http.StatusBadRequest, "model_required",
				`this gateway routes requests by model: name one in the JSON body ("model": "NAME"; GET /v1/models lists yours)`)
			return
		}
		// The default upstream's streams are metered as the models' are.
		if info := infoFrom(r.Context()); info != nil && m.meterStreams && body != nil && !includeUsage(w, r, body, info) {
			return
		}
		m.next.ServeHTTP(w, r)
		return
	}
	model := m.allowed(w, r, id, name)
	if model == nil {
		return
	}
	if info := infoFrom(r.Context()); info != nil {
		info.model = model
		if m.meterStreams && !includeUsage(w, r, body, info) {
			return
		}
	}
	m.next.ServeHTTP(w, r)
}

// readBody reads the request body, within the route's maxBody (limitBody),
// at once into a buffer of its length when the length is known (net/http
// holds the body to its Content-Length).
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength <= 0 {
		return io.ReadAll(r.Body)
	}
	body := make([]byte, r.ContentLength)
	_, err := io.ReadFull(r.Body, body)
	return body, err
}

// allowed is the model named, if it is configured and the caller's token
// grants its permission; otherwise it answers 404 or 403.
func (m *modelRouter) allowed(w http.ResponseWriter, r *http.Request, id *guard.Identity, name string) *routedModel {
	model := m.byName[name]
	if model == nil {
		refusedBecause(r, "unknown model")
		refuse(w, r, http.StatusNotFound, "model_not_found", fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", name))
		return nil
	}
	if perm := model.permission; id == nil || !id.Has(perm) {
		refusedBecause(r, "model not granted: needs "+perm)
		m.challenge(w, r, perm)
		refuse(w, r, http.StatusForbidden, "model_not_allowed",
			fmt.Sprintf("your token does not grant the model `%s`: it needs the permission %s (a role's permission, or the client grant's scope, in the tenant)", name, perm))
		return nil
	}
	return model
}

// challenge names, in the refusal's WWW-Authenticate, everything the call
// needs: the route's scopes and the model's permission, so that a client
// asking for a token again (as MCP clients do on a 403 insufficient_scope)
// gets one for the whole call, not one for the model without the route's.
func (m *modelRouter) challenge(w http.ResponseWriter, r *http.Request, perm string) {
	var req guard.Requirement
	if info := infoFrom(r.Context()); info != nil {
		req = info.requirement
	}
	req.AllOf = append(slices.Clone(req.AllOf), perm)
	m.guard.Challenge(w, r, req, fmt.Errorf("%w: needs %s", guard.ErrInsufficientScope, perm))
}

func (m *modelRouter) listModels(w http.ResponseWriter, id *guard.Identity) {
	list := struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{Object: "list", Data: []modelObject{}}
	for _, model := range m.list {
		if id.Has(model.permission) {
			list.Data = append(list.Data, m.object(model))
		}
	}
	writeJSON(w, list)
}

// modelObject is OpenAI's model object.
type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func (m *modelRouter) object(model *routedModel) modelObject {
	return modelObject{ID: model.Name, Object: "model", Created: m.created, OwnedBy: "model-api-auth0"}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// balanced sends a request that names a model to the least busy of its
// servers (balance.go), and sets a failing one aside; 503 when every
// server is set aside.
func balanced(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info == nil || info.model == nil {
			next.ServeHTTP(w, r)
			return
		}
		srv, back := info.model.servers.pick()
		if srv == nil {
			w.Header().Set("Retry-After", limits.Seconds(back))
			refusedBecause(r, "every server of the model is set aside")
			refuse(w, r, http.StatusServiceUnavailable, "model_unavailable", fmt.Sprintf(
				"no server of the model `%s` is answering right now (each failed in the last %s); retry in %s s",
				info.model.Name, info.model.servers.setAside, limits.Seconds(back)))
			return
		}
		info.server = srv
		defer func() { info.model.servers.release(srv, info.serverFailed) }()
		next.ServeHTTP(w, r)
	})
}

func (c Config) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c Config) setAside() time.Duration {
	if c.SetAside > 0 {
		return c.SetAside
	}
	return DefaultSetAside
}
