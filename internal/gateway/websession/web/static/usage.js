// Shows the logged-in person their usage of the last 30 days, per model,
// from GET /v1/usage/me (the gateway's ledger), as a small stacked bar
// chart drawn in SVG: no chart library, nothing fetched from elsewhere.
// Without a ledger the route is not served and the card stays hidden.
"use strict";

(function () {
  const card = document.getElementById("usage");
  if (!card) return;
  const chart = card.querySelector("#usage-chart");
  const legend = card.querySelector("#usage-legend");
  const total = card.querySelector("#usage-total");
  const colors = ["#0059d6", "#0a7d38", "#b45309", "#7c3aed", "#be185d", "#0e7490"];
  const svgNS = "http://www.w3.org/2000/svg";

  function el(name, attrs) {
    const e = document.createElementNS(svgNS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  // tokens is a model's tokens on day i: what the bars stack.
  const tokens = (m, i) => m.inputTokens[i] + m.outputTokens[i];

  function draw(s) {
    const w = 600, h = 120, n = s.days.length, bw = w / n;
    const perDay = s.days.map((_, i) => s.models.reduce((sum, m) => sum + tokens(m, i), 0));
    const top = Math.max(1, ...perDay);
    const svg = el("svg", { viewBox: `0 0 ${w} ${h + 14}`, width: "100%", role: "img", "aria-label": "model tokens per day, last 30 days" });
    s.days.forEach((day, i) => {
      let y = h;
      s.models.forEach((m, k) => {
        const v = tokens(m, i);
        if (v === 0) return;
        const bh = (v / top) * h;
        y -= bh;
        const bar = el("rect", { x: i * bw + 1, y, width: bw - 2, height: bh, fill: colors[k % colors.length] });
        const tip = el("title", {});
        tip.textContent = `${day} · ${m.model}: ${v} tokens, ${m.calls[i]} calls`;
        bar.appendChild(tip);
        svg.appendChild(bar);
      });
    });
    const first = el("text", { x: 0, y: h + 12, "font-size": 10, fill: "#5b6475" });
    first.textContent = s.days[0];
    const last = el("text", { x: w, y: h + 12, "font-size": 10, fill: "#5b6475", "text-anchor": "end" });
    last.textContent = s.days[n - 1];
    svg.append(first, last);
    chart.replaceChildren(svg);

    legend.replaceChildren(...s.models.map((m, k) => {
      const li = document.createElement("li");
      const sum = (a) => a.reduce((x, y) => x + y, 0);
      li.dataset.model = m.model;
      li.style.setProperty("--swatch", colors[k % colors.length]);
      li.textContent = `${m.model}: ${sum(m.calls)} calls, ${sum(m.inputTokens)} in / ${sum(m.outputTokens)} out tokens, $${(sum(m.costMicros) / 1e6).toFixed(2)}` +
        (sum(m.unmetered) > 0 ? ` (${sum(m.unmetered)} not metered)` : "");
      return li;
    }));
    total.textContent = s.models.length === 0 ? "No model calls in the last 30 days." : "";
  }

  async function load() {
    try {
      const resp = await fetch("/v1/usage/me", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
      if (!resp.ok) return; // no ledger (404), or not a person: nothing to show
      draw(await resp.json());
      card.hidden = false;
    } catch { /* the next load tries again */ }
  }

  load();
  setInterval(load, 60000);
})();
