// Helpers every view shares: DOM building that never parses data as HTML,
// formatting, and the API client (bearer token, ETag-conditional polls).

// el("td", {className: "num"}, "text", childNode): strings become text nodes,
// so data is always text (a name "<script>" shows as those characters).
// Props: className, title, dataset-free attributes via attrs, on* listeners.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "className") node.className = v;
    else if (k === "attrs") for (const [a, av] of Object.entries(v)) node.setAttribute(a, String(av));
    else node[k] = v;
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, v = Number(n);
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + " " + units[i];
}

export const fmtRate = (n) => (n === null || n === undefined ? "–" : fmtBytes(n) + "/s");

export function fmtTime(unix) {
  if (!unix) return "–";
  return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function fmtAgo(unix, now = Date.now() / 1000) {
  if (!unix) return "never";
  const s = Math.max(0, Math.round(now - unix));
  if (s < 90) return s + " s ago";
  if (s < 5400) return Math.round(s / 60) + " min ago";
  return Math.round(s / 3600) + " h ago";
}

export function fmtEta(s) {
  if (s === null || s === undefined) return "unknown";
  if (s < 90) return Math.round(s) + " s";
  return Math.round(s / 60) + " min";
}

export const short = (id) => (id && id.length > 16 ? id.slice(0, 12) + "…" : id || "");

// A progress bar: <progress> plus "done/total" text.
export function progress(done, total, label) {
  const p = el("progress", { max: Math.max(total, 1), value: Math.min(done, Math.max(total, 1)) });
  return el("span", { className: "bar" }, p, " ", label ?? `${done}/${total}`);
}

export function table(headers, rows, className = "") {
  return el("table", { className },
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => (r instanceof Node ? r : el("tr", {}, r.map((c) =>
      c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c)))))));
}

export const num = (v) => el("td", { className: "num" }, v);

// The API client. get() sends If-None-Match with the ETag of its last answer
// for that path and returns the cached JSON on 304. Errors become
// ApiError(status, the API's own message).
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export class Api {
  constructor(token) { this.token = token; this.cache = new Map(); this.stats = { ok: 0, notModified: 0 }; }

  headers(extra = {}) { return { Authorization: "Bearer " + this.token, ...extra }; }

  async get(path) {
    const cached = this.cache.get(path);
    const h = this.headers(cached ? { "If-None-Match": cached.etag } : {});
    const res = await fetch(path, { headers: h, cache: "no-store", credentials: "omit" });
    if (res.status === 304 && cached) { this.stats.notModified++; return cached.data; }
    const data = await readJson(res);
    if (!res.ok) throw new ApiError(res.status, errorText(res, data));
    this.stats.ok++;
    const etag = res.headers.get("ETag");
    if (etag) this.cache.set(path, { etag, data });
    return data;
  }

  // A state-changing call: JSON body, Content-Type application/json.
  async send(method, path, body) {
    const init = { method, headers: this.headers({ "Content-Type": "application/json" }), credentials: "omit" };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(path, init);
    const data = await readJson(res);
    if (!res.ok) throw new ApiError(res.status, errorText(res, data));
    return data;
  }
}

async function readJson(res) {
  const text = await res.text();
  try { return text ? JSON.parse(text) : null; } catch { return { error: text }; }
}

function errorText(res, data) {
  const msg = data && typeof data.error === "string" ? data.error : res.statusText;
  return `${res.status}: ${msg}`;
}

// A message line that shows an error as text (role="alert" so it is announced).
export function errorLine(e) {
  return el("p", { className: "error", attrs: { role: "alert" } }, e instanceof Error ? e.message : String(e));
}
