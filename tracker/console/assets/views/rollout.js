// Rollout: one branch in detail — progress over time (from the tracker's
// status history), bytes by source, completion per layer with ETA,
// stragglers and errors.
import { el, replace, table, num, progress, fmtBytes, fmtRate, fmtEta, fmtTime, short } from "../lib.js";
import { history } from "../data.js";
import { timeChart, doughnut } from "../charts.js";

export function mount(root, ctx) {
  const picker = el("select", { id: "branch-picker", attrs: { "aria-label": "branch" } });
  const summary = el("div", { id: "rollout-summary" });
  const chartBox = el("div", { className: "chart-box" });
  const chartNote = el("p", { className: "note" });
  const sourceBox = el("div", { className: "chart-box small" });
  const sources = el("div");
  const layers = el("div", { id: "rollout-layers" });
  const problems = el("div");
  root.append(el("h1", {}, "Rollout ", picker), summary,
    el("h2", {}, "Progress over time"), chartBox, chartNote,
    el("div", { className: "cols" },
      el("section", {}, el("h2", {}, "Bytes by source"), sourceBox, sources),
      el("section", {}, el("h2", {}, "Completion so far"), layers)),
    problems);
  const chart = timeChart(chartBox, ctx, "progress (% of bytes)", "WAN rate (MiB/s)");
  const donut = doughnut(sourceBox, ctx);
  picker.addEventListener("change", () => update());

  async function update() {
    const branches = ctx.rollout.branches;
    const names = branches.map((b) => b.name);
    const chosen = names.includes(picker.value) ? picker.value : names[0];
    if ([...picker.options].map((o) => o.value).join("\n") !== names.join("\n"))
      replace(picker, names.map((n) => el("option", { value: n }, n)));
    picker.value = chosen || "";
    const b = branches.find((x) => x.name === chosen);
    if (!b) { replace(summary, el("p", {}, "No branches yet.")); return; }
    replace(summary, el("p", {}, `${b.endpoints} endpoints, reflectors ${b.reflectors.alive}/${b.reflectors.total} alive, ` +
      `WAN ${fmtBytes(b.wan.bytes)} at ${fmtRate(b.wan.rate_bytes_per_s)}` +
      (b.cap_bytes_per_s ? ` (cap ${fmtRate(b.cap_bytes_per_s)}${b.window ? ", window " + b.window : ""})` : " (no cap)")));
    const h = await history(ctx.api, ctx.sampler, b.name);
    chart.set(series(h.samples));
    replace(chartNote, `${h.samples.length} samples from ${h.source}` +
      (h.source === "tracker" ? " (kept in the tracker's memory for the last hour; lost when it restarts)." : "."));
    const src = b.bytes_by_source;
    donut.set(["origin (WAN)", "reflector", "branch peers"], [src.origin, src.reflector, src.peer]);
    replace(sources, table(["Source", "Bytes"], [["origin (WAN)", num(fmtBytes(src.origin))],
      ["reflector", num(fmtBytes(src.reflector))], ["branch peers", num(fmtBytes(src.peer))]]));
    replace(layers, b.layers.length ? table(["Layer", "Endpoints done", "Downloading", "Failed", "Bytes", "ETA"],
      b.layers.map((l) => el("tr", { attrs: { "data-layer": l.ref, "data-done": l.done, "data-total": l.total, "data-bytes-done": l.bytes_done ?? 0, "data-bytes-total": l.bytes_total ?? 0 } }, el("td", {}, l.ref),
        el("td", { className: "done" }, progress(l.done, l.total)), num(l.downloading), num(l.failed),
        el("td", {}, l.bytes_total ? progress(l.bytes_done, l.bytes_total, `${fmtBytes(l.bytes_done)} of ${fmtBytes(l.bytes_total)}`) : "–"),
        el("td", {}, l.done >= l.total && l.total > 0 ? "done" : fmtEta(l.eta_s))))) : el("p", {}, "No layers assigned to this branch."));
    replace(problems,
      el("h2", {}, `Stragglers (${b.stragglers.length})`),
      b.stragglers.length ? el("ul", { className: "ids" }, b.stragglers.map((id) => el("li", { title: id }, short(id)))) : el("p", {}, "None."),
      el("h2", {}, `Errors (${b.errors.length})`),
      b.errors.length ? table(["Node", "Error", "Reported"], b.errors.map((e) =>
        [el("td", { title: e.node }, short(e.node)), el("td", { className: "error" }, e.error), fmtTime(e.time)])) : el("p", {}, "None."));
  }
  return { update, unmount() { chart.destroy(); donut.destroy(); } };
}

// One line per layer (percent of endpoints done) and the WAN rate.
function series(samples) {
  const refs = new Set();
  for (const s of samples) for (const r of Object.keys(s.layers || {})) refs.add(r);
  const lines = [...refs].sort().map((ref) => ({
    label: ref + " %", yAxisID: "y",
    data: samples.filter((s) => s.layers?.[ref]).map((s) => {
      const l = s.layers[ref];
      // Bytes move smoothly where endpoint counts step; counts when no bytes.
      const y = l.bytes_total ? (100 * l.bytes_done) / l.bytes_total : l.total ? (100 * l.done) / l.total : 0;
      return { x: s.time, y };
    }) }));
  lines.push({ label: "WAN rate (MiB/s)", yAxisID: "rate",
    data: samples.map((s) => ({ x: s.time, y: (s.wan_rate_bytes_per_s ?? 0) / 1048576 })) });
  return lines;
}
