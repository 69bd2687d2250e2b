// Nodes: every endpoint and reflector — health, last report, applied stack,
// what is in flight, its last error — and revoke (the API lets an admin).
import { el, replace, table, fmtAgo, fmtBytes, short, errorLine } from "../lib.js";

// Nodes report every few seconds and reflectors heartbeat; silence this
// long is worth a colour.
const STALE_S = 60;
// Status fetches per poll: one GET per node, conditional, so cheap; capped
// so a fleet of thousands does not poll a thousand URLs every 2 s.
const MAX_DETAILED = 100;

export function mount(root, ctx) {
  const message = el("div");
  const body = el("div");
  const filter = el("input", { type: "search", id: "node-filter", placeholder: "filter: id, branch, address, error" });
  root.append(el("h1", {}, "Nodes"), el("p", { className: "form" }, filter), message, body);
  filter.addEventListener("input", () => update());

  async function update() {
    const [endpoints, reflectors] = await Promise.all([ctx.api.get("/api/v1/endpoints"), ctx.api.get("/api/v1/reflectors")]);
    const nodes = [...reflectors.map((r) => ({ ...r, role: "reflector" })), ...endpoints.map((e) => ({ ...e, role: "endpoint" }))];
    const now = Date.now() / 1000;
    const statuses = await Promise.all(nodes.slice(0, MAX_DETAILED).map((n) =>
      ctx.api.get("/api/v1/status/nodes/" + n.id).catch(() => null)));
    const q = filter.value.trim().toLowerCase();
    const rows = [];
    nodes.forEach((n, i) => {
      const s = statuses[i] || null;
      const err = s?.last_error || "";
      if (q && ![n.id, n.branch, n.address, err, n.role].some((v) => String(v || "").toLowerCase().includes(q))) return;
      const seen = n.role === "reflector" ? n.last_heartbeat : s?.received_at;
      const health = err ? "error" : !seen ? "no report" : now - seen > STALE_S ? "stale" : "ok";
      const inflight = (s?.layers || []).filter((l) => l.state !== "applied" && l.state !== "complete");
      rows.push(el("tr", { attrs: { "data-node": n.id } },
        el("td", { className: "mono", title: n.id }, short(n.id)), el("td", {}, n.role), el("td", {}, n.branch),
        el("td", {}, n.address || ""), el("td", {}, el("span", { className: "health " + health.replace(" ", "-") }, health)),
        el("td", {}, fmtAgo(seen, now)), el("td", {}, (s?.applied || []).join(", ") || "–"),
        el("td", {}, inflight.map((l) => `${l.ref} ${l.state} ${fmtBytes(l.bytes_done)}/${fmtBytes(l.bytes_total)}`).join("; ") || "–"),
        el("td", { className: "error" }, err),
        el("td", {}, ctx.role !== "viewer" ? el("button", { type: "button", className: "danger", onclick: () => revoke(n) }, "Revoke") : "")));
    });
    replace(body, nodes.length ? table(["Node", "Role", "Branch", "Address", "Health", "Last report", "Applied", "In flight", "Last error", ""], rows, "wide")
      : el("p", {}, "No nodes enrolled yet."),
      nodes.length > MAX_DETAILED ? el("p", { className: "note" }, `Status shown for the first ${MAX_DETAILED} of ${nodes.length} nodes.`) : null);
  }

  async function revoke(n) {
    if (!confirm(`Revoke ${n.role} ${n.id}? Its certificates and announce key stop working on every route.`)) return;
    try {
      const r = await ctx.api.send("POST", `/api/v1/nodes/${n.id}/revoke`);
      replace(message, el("p", { className: "ok" }, `Revoked ${short(r.revoked)} (${(r.serials || []).length} certificates).`));
    } catch (e) { replace(message, errorLine(e)); }
  }
  return { update };
}
