package proxy

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

func newBudgetCrossings() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_budget_crossings_total",
		Help: "Budgets that reached 80% or 100% of their quota, once per budget, period and gateway process, by policy and percent."},
		[]string{"policy", "percent"})
}

// reportCrossings logs and counts the budgets a request found at 80% or
// 100% for the first time in their period: an operator hears of a budget
// running out before its callers do, and once, not at every request.
func (p *proxied) reportCrossings(r *http.Request, crossed []limits.Crossing) {
	for _, c := range crossed {
		percent := strconv.Itoa(c.Percent)
		if p.metrics != nil {
			p.metrics.budgetCrossings.WithLabelValues(c.Policy.Name, percent).Inc()
		}
		p.logger.WarnContext(r.Context(), "budget at "+percent+"%: "+c.Policy.Describe(),
			"policy", c.Policy.Name, "key", c.Key, "period", c.Period, "used", c.Used, "percent", c.Percent)
	}
}
