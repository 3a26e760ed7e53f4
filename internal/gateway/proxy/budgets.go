package proxy

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/model-api-auth0/model-api-auth0/internal/gateway/limits"
)

func newBudgetCrossings() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_budget_crossings_total",
		Help: "Budgets that reached 80% or 100% of their quota, once per budget and period across the gateway processes sharing Redis (per process without Redis), by policy and percent."},
		[]string{"policy", "percent"})
}

// reportCrossing logs and counts a budget that reached 80% or 100%: an
// operator hears of a budget running out before its callers do, and once
// per budget and period across every gateway process sharing Redis (the
// process whose count crossed it reports it: see limits.Crossing).
func (p *proxied) reportCrossing(c limits.Crossing) {
	percent := strconv.Itoa(c.Percent)
	if p.metrics != nil {
		p.metrics.budgetCrossings.WithLabelValues(c.Policy.Name, percent).Inc()
	}
	unit := "tokens"
	if c.Policy.Money {
		unit = "usd-micros"
	}
	p.logger.Warn("budget at "+percent+"%: "+c.Policy.Describe(),
		"policy", c.Policy.Name, "key", c.Key, "period", c.Period, "used", c.Used, "unit", unit, "percent", c.Percent)
}
