// Policies: each branch's WAN policy (the cap and its time windows), edited
// through PUT /api/v1/branches/NAME (the branch's subnets and parent are sent
// back unchanged). The tracker decides who may: its answer, refusal included,
// is shown as it comes.
import { el, replace, table, fmtRate, errorLine } from "../lib.js";
import { capOf } from "../data.js";

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function mount(root, ctx) {
  const list = el("div");
  const editor = el("section", { className: "card", id: "policy-editor" });
  root.append(el("h1", {}, "Policies"), list, editor);
  let branches = [];
  let editing = null;

  async function update() {
    branches = await ctx.api.get("/api/v1/branches");
    replace(list, branches.length ? table(["Branch", "Download cap", "Windows", "Policy document", ""],
      branches.map((b) => el("tr", { attrs: { "data-branch": b.name } }, el("td", { className: "name" }, b.name),
        el("td", {}, capOf(b) ? fmtRate(capOf(b)) : "none"),
        el("td", {}, (b.wan_policy?.windows || []).map(describeWindow).join("; ") || "none"),
        el("td", {}, el("pre", { className: "json" }, JSON.stringify(b.wan_policy ?? {}, null, 1))),
        el("td", {}, el("button", { type: "button", onclick: () => edit(b.name) }, "Edit")))), "wide")
      : el("p", {}, "No branches yet."));
    if (!editing && branches.length) edit(branches[0].name);
  }

  function edit(name, notice) {
    const b = branches.find((x) => x.name === name);
    if (!b) return;
    editing = name;
    const policy = b.wan_policy || {};
    const cap = el("input", { type: "number", id: "cap", min: 0, step: 1, value: capOf(b) ?? "" });
    const rows = el("tbody");
    const addRow = (w = {}) => rows.append(windowRow(w));
    (policy.windows || []).forEach(addRow);
    const result = el("div", { id: "policy-result" },
      notice ? el("p", { className: "ok", attrs: { role: "status" } }, notice) : null);
    const save = el("button", { type: "button", id: "policy-save", onclick: () => submit() }, "Save policy");
    replace(editor, el("h2", {}, "Edit the WAN policy of ", el("span", { className: "name" }, name)),
      el("p", { className: "form" }, el("label", { htmlFor: "cap" }, "Download cap (bytes/s, empty = none) "), cap),
      el("table", {}, el("thead", {}, el("tr", {}, ["Days", "Start", "End", "Cap (bytes/s)", ""].map((h) => el("th", {}, h)))), rows),
      el("p", { className: "form" }, el("button", { type: "button", id: "window-add", onclick: () => addRow() }, "Add a time window"), " ", save),
      el("p", { className: "note" }, "Windows are local time of the nodes (UTC + utc_offset_min); the first matching window wins."),
      result);

    async function submit() {
      const built = buildPolicy(policy, cap.value, [...rows.children]);
      if (built.error) { replace(result, errorLine(built.error)); return; }
      try {
        await ctx.api.send("PUT", `/api/v1/branches/${encodeURIComponent(name)}/wan-policy`, built.policy);
        await update();
        edit(name, `Saved the policy of ${name}.`);  // the editor starts again from the stored document
      } catch (e) { replace(result, errorLine(e)); }
    }
  }
  return { update };
}

function describeWindow(w) {
  const cap = w.download?.bytes_per_s;
  return `${(w.days || ["every day"]).join(",")} ${w.start}–${w.end}: ${cap !== undefined ? fmtRate(cap) : "no cap"}`;
}

function windowRow(w) {
  const tr = el("tr", { className: "window" },
    el("td", {}, el("input", { className: "days", value: (w.days || ["mon-fri"]).join(","), size: 12 })),
    el("td", {}, el("input", { className: "start", value: w.start || "08:00", size: 5 })),
    el("td", {}, el("input", { className: "end", value: w.end || "18:00", size: 5 })),
    el("td", {}, el("input", { className: "cap", type: "number", min: 0, value: w.download?.bytes_per_s ?? "" })),
    el("td", {}, el("button", { type: "button", onclick: () => tr.remove() }, "Remove")));
  return tr;
}

// The policy with the edited cap and windows; every other field of the old
// document is kept. Errors name the field as the nodes' decoder would.
function buildPolicy(old, capText, windowRows) {
  const p = JSON.parse(JSON.stringify(old || {}));
  p.schema = 1;
  p.default = p.default || {};
  if (capText === "") delete p.default.download;
  else {
    const n = Number(capText);
    if (!Number.isInteger(n) || n < 0) return { error: `default.download.bytes_per_s: "${capText}" is not a whole number of bytes/s` };
    p.default.download = { bytes_per_s: n };
  }
  if (!Object.keys(p.default).length) delete p.default;
  const windows = [];
  for (const [i, tr] of windowRows.entries()) {
    const v = (c) => tr.querySelector("." + c).value.trim();
    const w = { days: v("days").split(",").map((d) => d.trim()).filter(Boolean), start: v("start"), end: v("end") };
    if (!HHMM.test(w.start)) return { error: `windows[${i}].start: "${w.start}" is not HH:MM` };
    if (!HHMM.test(w.end)) return { error: `windows[${i}].end: "${w.end}" is not HH:MM` };
    if (w.start === w.end) return { error: `windows[${i}]: start and end are both ${w.start} (an empty window)` };
    if (v("cap") !== "") {
      const n = Number(v("cap"));
      if (!Number.isInteger(n) || n < 0) return { error: `windows[${i}].download.bytes_per_s: "${v("cap")}" is not a whole number` };
      w.download = { bytes_per_s: n };
    }
    windows.push(w);
  }
  if (windows.length) p.windows = windows; else delete p.windows;
  return { policy: p };
}
