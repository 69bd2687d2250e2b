// Audit log: every admin action and enrollment, newest first, filterable.
// Read page by page from GET /api/v1/audit?after=SEQ (operator+); the newest
// KEEP entries stay in this tab.
import { el, replace, table, fmtTime, errorLine } from "../lib.js";

const KEEP = 2000;
const PAGE = 1000;

export function mount(root, ctx) {
  const filter = el("input", { type: "search", id: "audit-filter", placeholder: "filter: action, actor, target, details" });
  const body = el("div", { id: "audit-body" });
  root.append(el("h1", {}, "Audit log"), el("p", { className: "form" }, filter), body);
  let entries = [];
  let after = 0;
  filter.addEventListener("input", () => render());

  async function update() {
    try {
      for (;;) {
        const page = await ctx.api.get(`/api/v1/audit?after=${after}&limit=${PAGE}`);
        entries.push(...page.entries);
        if (page.entries.length) after = page.entries[page.entries.length - 1].seq;
        if (page.entries.length < PAGE) break;
      }
      if (entries.length > KEEP) entries = entries.slice(entries.length - KEEP);
      render();
    } catch (e) {
      replace(body, errorLine(e), e.status === 403 ? el("p", { className: "note" }, "The audit log is for operators and admins.") : null);
    }
  }

  function render() {
    const q = filter.value.trim().toLowerCase();
    const shown = entries.slice().reverse().filter((e) => !q || JSON.stringify(e).toLowerCase().includes(q)).slice(0, 500);
    replace(body, table(["#", "Time", "Actor", "Role", "Action", "Target", "From", "Details"], shown.map((e) =>
      el("tr", { attrs: { "data-seq": e.seq } }, el("td", { className: "num" }, e.seq), el("td", {}, fmtTime(e.time)),
        ident(e.actor), el("td", {}, e.role || ""), el("td", { className: "action" }, e.action),
        ident(e.target), el("td", {}, e.remote || ""),
        details(e.details))), "wide audit"),
      el("p", { className: "note" }, `${entries.length} entries loaded, ${shown.length} shown.`));
  }
  return { update };
}

// Node ids are 64 hex digits: the first 12 in the row, all in the tooltip.
function ident(text) {
  const s = String(text ?? "");
  return el("td", { title: s }, s.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, "$1…"));
}

// Details can be a whole policy document: the first DETAILS_CHARS in the
// row, all of it in the tooltip and the filter.
const DETAILS_CHARS = 140;
function details(d) {
  if (!d || (typeof d === "object" && !Object.keys(d).length)) return el("td", {});
  const text = JSON.stringify(d);
  return el("td", { className: "details", title: text },
    el("code", {}, text.length > DETAILS_CHARS ? text.slice(0, DETAILS_CHARS) + "…" : text));
}
