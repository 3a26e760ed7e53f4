// Calls the reference routes twice a second with the session cookie (same
// origin) and shows their answers. No token is ever in this page.
"use strict";

const probes = document.querySelectorAll("[data-probe]");
const updated = document.getElementById("updated");

async function probe(el) {
  const status = el.querySelector(".status");
  const message = el.querySelector(".message");
  try {
    const resp = await fetch(el.dataset.probe, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    let body = {};
    try { body = await resp.json(); } catch { /* not JSON */ }
    status.textContent = resp.status + " " + (resp.ok ? "OK" : statusText(resp.status));
    message.textContent = body.message || "";
    el.dataset.status = String(resp.status);
    el.classList.toggle("ok", resp.ok);
    el.classList.toggle("denied", !resp.ok);
  } catch (err) {
    status.textContent = "no answer";
    message.textContent = String(err);
    el.dataset.status = "0";
    el.classList.remove("ok");
    el.classList.add("denied");
  }
}

function statusText(code) {
  return { 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests", 503: "Service Unavailable" }[code] || "";
}

async function tick() {
  await Promise.all(Array.from(probes, probe));
  if (updated) updated.textContent = "Updated " + new Date().toLocaleTimeString();
}

if (probes.length > 0) {
  tick();
  setInterval(tick, 500);
}
