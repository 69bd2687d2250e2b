// Overview: every branch at a glance — reflectors alive, endpoints done,
// WAN bytes against the new content they carried, WAN rate against the cap
// in force now — and a chart of WAN rate per branch against its cap.
import { el, replace, table, num, progress, fmtBytes, fmtRate, errorLine } from "../lib.js";
import { layersByRef } from "../data.js";
import { barChart } from "../charts.js";

export function mount(root, ctx) {
  const body = el("div");
  const chartBox = el("div", { className: "chart-box" });
  root.append(el("h1", {}, "Overview"), body, el("h2", {}, "WAN rate per branch against its cap"), chartBox);
  const chart = barChart(chartBox, ctx);

  async function update() {
    const status = ctx.rollout;
    const layers = await layersByRef(ctx.api);
    const rows = status.branches.map((b) => row(b, layers));
    replace(body, status.branches.length ? table(
      ["Branch", "Reflectors alive", "Endpoints done", "WAN bytes against new content", "WAN rate against cap", "Errors"],
      rows, "wide") : el("p", {}, "No branches yet (PUT /api/v1/branches/NAME or bcctl branch create)."),
    status.legacy ? el("p", { className: "note" }, "This tracker has no /api/v1/status/rollout: figures are put together from /status/branches, WAN rates from this tab's samples.") : null);
    chart.set(status.branches.map((b) => b.name),
      [{ label: "WAN rate (MiB/s)", data: status.branches.map((b) => (b.wan.rate_bytes_per_s ?? 0) / 1048576) },
       { label: "cap now (MiB/s)", data: status.branches.map((b) => (b.cap_bytes_per_s ?? 0) / 1048576) }]);
  }
  return { update, unmount: () => chart.destroy() };
}

function row(b, layers) {
  const total = b.endpoints;
  // An endpoint is done when it holds its whole stack: at most the least
  // complete, clamped: an older tracker's counts include its reflectors.
  const done = b.layers.length ? Math.min(total, ...b.layers.map((l) => l.done)) : 0;
  const content = b.layers.reduce((s, l) => s + (layers.get(l.ref)?.total_bytes ?? 0), 0);
  const ratio = content ? (b.wan.bytes / content).toFixed(2) + "×" : "–";
  const rate = b.wan.rate_bytes_per_s;
  const cap = b.cap_bytes_per_s;
  return el("tr", { attrs: { "data-branch": b.name } },
    el("td", { className: "name" }, b.name),
    el("td", {}, progress(b.reflectors.alive, b.reflectors.total)),
    el("td", {}, b.layers.length ? progress(done, total) : "no layers assigned"),
    el("td", {}, `${fmtBytes(b.wan.bytes)} for ${fmtBytes(content)} of new content (${ratio})`),
    el("td", {}, cap ? progress(rate ?? 0, cap, `${fmtRate(rate)} of ${fmtRate(cap)}${b.window ? " (window " + b.window + ")" : ""}`)
                     : `${fmtRate(rate)} (no cap)`),
    num(b.errors.length ? el("span", { className: "error" }, String(b.errors.length)) : "0"));
}
