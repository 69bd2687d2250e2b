// Layers: the catalogue (versions, sizes, state), what changed between two
// versions (GET /api/v1/layers/{a}/diff/{b}) and what moving to the newer
// one costs each branch that runs an older version of it.
import { el, replace, table, num, fmtBytes, fmtTime, errorLine } from "../lib.js";

export function mount(root, ctx) {
  const list = el("div");
  const a = el("select", { id: "diff-a", attrs: { "aria-label": "from" } });
  const b = el("select", { id: "diff-b", attrs: { "aria-label": "to" } });
  const result = el("div", { id: "diff-result" });
  const message = el("div");
  const compare = el("button", { type: "button", id: "diff-go", onclick: () => showDiff().catch((e) => replace(result, errorLine(e))) }, "Compare");
  root.append(el("h1", {}, "Layers"), message, list,
    el("h2", {}, "What changed between two versions"),
    el("p", { className: "form" }, "From ", a, " to ", b, " ", compare), result);
  let refs = [];

  async function update() {
    const layers = await ctx.api.get("/api/v1/layers");
    layers.sort((x, y) => x.name.localeCompare(y.name) || x.version - y.version);
    const rows = layers.map((l) => el("tr", { attrs: { "data-layer": l.ref } },
      el("td", { className: "name" }, l.ref), el("td", {}, l.kind), num(fmtBytes(l.total_bytes)), num(l.file_count),
      el("td", {}, fmtTime(l.imported_at)), el("td", {}, l.retired ? "retired" : "active"),
      el("td", { className: "mono", title: l.info_hash }, (l.info_hash || "").slice(0, 16)),
      el("td", {}, ctx.role !== "viewer" && !l.retired
        ? el("button", { type: "button", className: "danger", onclick: () => retire(l.ref) }, "Retire") : "")));
    replace(list, table(["Layer", "Kind", "Size", "Files", "Imported", "State", "Info-hash", ""], rows, "wide"));
    const now = layers.map((l) => l.ref);
    if (now.join() !== refs.join()) {
      refs = now;
      const keepA = a.value, keepB = b.value;
      replace(a, now.map((r) => el("option", { value: r }, r)));
      replace(b, now.map((r) => el("option", { value: r }, r)));
      a.value = now.includes(keepA) ? keepA : now[Math.max(0, now.length - 2)] || "";
      b.value = now.includes(keepB) ? keepB : now[now.length - 1] || "";
    }
  }

  async function retire(ref) {
    if (!confirm(`Retire ${ref}? Nodes drop it from their desired stacks.`)) return;
    try {
      await ctx.api.send("POST", `/api/v1/layers/${encodeURIComponent(ref)}/retire`);
      replace(message, el("p", { className: "ok" }, `${ref} retired.`));
      await update();
    } catch (e) { replace(message, errorLine(e)); }
  }

  async function showDiff() {
    const d = await ctx.api.get(`/api/v1/layers/${encodeURIComponent(a.value)}/diff/${encodeURIComponent(b.value)}`);
    const pct = d.b_file_bytes ? ((100 * d.bytes_to_move) / d.b_file_bytes).toFixed(1) : "0";
    replace(result,
      el("p", { className: "big" }, `${d.added_count} added, ${d.removed_count} removed, ${d.changed_count} changed: a holder of ${d.a} fetches `,
        el("b", { id: "diff-cost" }, fmtBytes(d.bytes_to_move)), ` of ${fmtBytes(d.b_file_bytes)} (${pct}%) to hold ${d.b}.`),
      await branchCosts(ctx, d),
      d.costs.length ? el("h3", {}, "Costliest files") : null,
      d.costs.length ? table(["File", "Size", "To move", "Why"], d.costs.map((c) => [c.path, num(fmtBytes(c.size)),
        num(fmtBytes(c.bytes_to_move)), c.reason === "pieces" ? `${c.pieces_new} of ${c.pieces_total} pieces new` : c.reason])) : null,
      changes("Added", d.added, d.added_count), changes("Removed", d.removed, d.removed_count),
      changes("Changed", d.changed.map((c) => `${c.path} (${c.what})`), d.changed_count));
  }
  return { update };
}

function changes(title, items, count) {
  if (!count) return null;
  return el("details", {}, el("summary", {}, `${title} (${count}${count > items.length ? ", first " + items.length : ""})`),
    el("ul", { className: "paths" }, items.map((p) => el("li", {}, p))));
}

// Per branch whose assignment holds another version of B's layer: the WAN
// bytes the move costs it (one copy crosses the WAN per branch: its
// reflector fetches, endpoints share it on the LAN).
async function branchCosts(ctx, d) {
  const name = d.b.split("@")[0];
  let assignments;
  try { assignments = await ctx.api.get("/api/v1/assignments"); } catch (e) { return errorLine(e); }
  const rows = [];
  for (const asg of assignments) {
    if (asg.kind !== "branch") continue;
    const cur = (asg.stack || []).find((r) => r.split("@")[0] === name);
    if (!cur || cur === d.b) continue;
    let cost = d.bytes_to_move;
    if (cur !== d.a) {
      try { cost = (await ctx.api.get(`/api/v1/layers/${encodeURIComponent(cur)}/diff/${encodeURIComponent(d.b)}`)).bytes_to_move; }
      catch { cost = null; }
    }
    rows.push([asg.target, cur, num(cost === null ? "–" : fmtBytes(cost))]);
  }
  if (!rows.length) return el("p", { className: "note" }, `No branch runs another version of ${name}.`);
  return el("div", {}, el("h3", {}, `Cost of moving to ${d.b}, per branch`),
    table(["Branch", "Runs now", "WAN bytes to move"], rows));
}
