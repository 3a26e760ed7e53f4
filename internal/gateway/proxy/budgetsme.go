package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/model-api-auth0/model-api-auth0/guard"
	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/modelperm"
)

// budgetsRoute serves what is left of the asking caller's budgets, beside
// GET /v1/usage/me: any valid token or session may ask, and only ever gets
// its own (the person, client and organization of the verified token), and
// those of the models its token grants (everyone's count of each model).
var budgetsRoute = Route{Pattern: "GET /v1/usage/me/budgets"}

// BudgetsAnswer is the body of GET /v1/usage/me/budgets.
type BudgetsAnswer struct {
	Budgets []BudgetLeft `json:"budgets"`
}

// BudgetLeft is one budget of the caller: tokens, or money in USD.
type BudgetLeft struct {
	Policy string `json:"policy"`          // per-person-tokens, per-org-usd-month, ...
	Scope  string `json:"scope"`           // person, client, org, model
	Model  string `json:"model,omitempty"` // the model's name, for scope model
	Unit   string `json:"unit"`            // tokens, usd
	Period string `json:"period"`          // day, month (UTC)
	// Limit, Used and Remaining are tokens, or USD to the micro-dollar.
	Limit     float64   `json:"limit"`
	Used      float64   `json:"used"`
	Remaining float64   `json:"remaining"`
	ResetsAt  time.Time `json:"resetsAt"`
}

func registerBudgets(mux *http.ServeMux, v *guard.Validator, auth func(http.Handler) http.Handler, e *limits.Enforcer, models []Model, logger *slog.Logger) {
	if e == nil || !e.Policies().HasBudgets() {
		return
	}
	mux.Handle(budgetsRoute.Pattern, auth(v.Require(budgetsRoute.Requirement())(budgetsHandler(e, models, logger))))
}

func budgetsHandler(e *limits.Enforcer, models []Model, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := guard.IdentityFrom(r.Context())
		if id == nil {
			guard.WriteJSONError(w, http.StatusUnauthorized, "budgets need a token or a session")
			return
		}
		answer, err := callersBudgets(r.Context(), e, id, models)
		if err != nil {
			logger.WarnContext(r.Context(), "budgets not read: the limits store failed", "error", err)
			w.Header().Set("Retry-After", "1")
			guard.WriteJSONError(w, http.StatusServiceUnavailable, "the gateway cannot read your budgets right now; retry shortly")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, answer)
	})
}

// callersBudgets reads what is left of the budgets of the caller id, then
// of each model its token grants.
func callersBudgets(ctx context.Context, e *limits.Enforcer, id *guard.Identity, models []Model) (BudgetsAnswer, error) {
	answer := BudgetsAnswer{Budgets: []BudgetLeft{}}
	add := func(left []limits.Left, model string) {
		for _, l := range left {
			b := BudgetLeft{Policy: l.Policy.Name, Scope: l.Policy.Kind.String(), Model: model, Unit: "tokens", Period: "day", ResetsAt: l.ResetAt,
				Limit: float64(l.Policy.TokensPerDay), Used: float64(l.Used), Remaining: float64(l.Remaining)}
			if l.Policy.Monthly {
				b.Period = "month"
			}
			if l.Policy.Money {
				b.Unit, b.Limit, b.Used, b.Remaining = "usd", b.Limit/1e6, b.Used/1e6, b.Remaining/1e6
			}
			answer.Budgets = append(answer.Budgets, b)
		}
	}
	left, err := e.Budgets(ctx, callerOf(id))
	if err != nil {
		return answer, err
	}
	add(left, "")
	for _, m := range models {
		if !id.Has(modelperm.Permission(m.Name)) {
			continue
		}
		if left, err = e.ModelBudgets(ctx, m.Name); err != nil {
			return answer, err
		}
		add(left, m.Name)
	}
	return answer, nil
}

// checkBudgetsRoute reports proxied routes that would take the budgets'.
func checkBudgetsRoute(e *limits.Enforcer, routes []Route) error {
	if e == nil || !e.Policies().HasBudgets() {
		return nil
	}
	return checkTaken([]string{budgetsRoute.Pattern}, routes, "the caller's budgets")
}
