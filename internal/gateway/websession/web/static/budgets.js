// Shows the logged-in person what is left of each budget that applies to
// them (their own, their organization's, the app's they logged in with,
// and everyone's of each model they may call; tokens and money; per day
// and per month), from GET
// /v1/usage/me/budgets. Without budgets the route is not served and the
// card stays hidden.
"use strict";

(function () {
  const card = document.getElementById("budgets");
  if (!card) return;
  const body = card.querySelector("tbody");
  const scopes = { person: "Yours", org: "Your organization's", client: "Your app's" };
  // whose says whose budget b is; a model's is shared by all its callers.
  const whose = (b) => (b.scope === "model" ? `${b.model} (everyone's)` : scopes[b.scope] || b.scope);

  // amount says a budget's quantity in its unit: tokens, or dollars to the
  // cent (to the micro-dollar below a cent).
  function amount(b, v) {
    if (b.unit === "usd") return "$" + (v !== 0 && Math.abs(v) < 0.01 ? v.toFixed(6) : v.toFixed(2));
    return v.toLocaleString("en-US") + " tokens";
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function draw(list) {
    body.replaceChildren(...list.map((b) => {
      const tr = document.createElement("tr");
      tr.dataset.policy = b.policy;
      if (b.model) tr.dataset.model = b.model;
      if (b.remaining <= 0) tr.className = "spent";
      const used = cell("");
      const meter = document.createElement("meter");
      meter.min = 0;
      meter.max = b.limit;
      meter.value = Math.min(b.used, b.limit);
      meter.high = b.limit * 0.8;
      used.append(meter, `${amount(b, b.used)} of ${amount(b, b.limit)}`);
      const renews = new Date(b.resetsAt).toISOString().slice(0, 16).replace("T", " ") + " UTC";
      tr.append(cell(`${whose(b)}, per ${b.period}`), used, cell(amount(b, b.remaining)), cell(renews));
      return tr;
    }));
  }

  async function load() {
    try {
      const resp = await fetch("/v1/usage/me/budgets", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
      if (!resp.ok) return; // no budgets (404), or the store is down: nothing to show
      const answer = await resp.json();
      if (answer.budgets.length === 0) return;
      draw(answer.budgets);
      card.hidden = false;
    } catch { /* the next load tries again */ }
  }

  load();
  setInterval(load, 30000);
})();
