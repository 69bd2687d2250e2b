// The console's shell: sign-in, role, navigation between views, and the
// 2-second poll that keeps the current view live (each GET is conditional:
// If-None-Match, 304 when nothing changed).
import { Api, el, replace, errorLine } from "./lib.js";
import { rolloutStatus, Sampler } from "./data.js";

const VIEWS = ["overview", "rollout", "layers", "nodes", "policies", "audit"];
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

const ctx = { api: null, role: null, sampler: new Sampler(), rollout: null, charts: false };
let current = null;  // {name, instance}
let timer = null;
let ticking = false;
let again = false;  // a tick was asked for while one ran (a new view): run it next

// The token's role, learnt from what it may read: tokens (admin), the audit
// log (operator+), else viewer. The server enforces roles either way.
async function detectRole(api) {
  try { await api.get("/api/v1/tokens"); return "admin"; } catch (e) { if (e.status !== 403) throw e; }
  try { await api.get("/api/v1/audit?limit=1"); return "operator"; } catch (e) { if (e.status !== 403) throw e; }
  return "viewer";
}

async function signIn(token) {
  const api = new Api(token.trim());
  await api.get("/api/v1/branches");  // 401 for a wrong token
  ctx.role = await detectRole(api);
  ctx.api = api;
  sessionStorage.setItem("bc.token", token.trim());
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("signout").hidden = false;
  replace($("who"), "signed in as ", el("b", { id: "role" }, ctx.role));
  await route();
  timer = setInterval(tick, POLL_MS);
}

function signOut() {
  sessionStorage.removeItem("bc.token");
  clearInterval(timer);
  location.hash = "";
  location.reload();
}

function showSignIn(message) {
  $("signin").hidden = false;
  $("nav").hidden = true;
  replace($("signin-error"), message || "");
  $("token").focus();
}

// Navigations can overlap (a click while a view's module loads): only the
// newest one mounts, into a fresh element.
let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  const name = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview";
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.view === name);
  const mod = await import(`./views/${name}.js`);
  if (seq !== routeSeq) return;
  if (current?.instance?.unmount) current.instance.unmount();
  const root = el("div", { className: "view-" + name });
  replace($("view"), root);
  current = { name, instance: mod.mount(root, ctx) };
  await tick();
}

async function tick() {
  if (!ctx.api || !current) return;
  if (ticking) { again = true; return; }
  ticking = true;
  const view = current;
  try {
    ctx.rollout = await rolloutStatus(ctx.api);
    ctx.sampler.add(ctx.rollout);
    await view.instance.update();
    const s = ctx.api.stats;
    replace($("poll-state"), `live: updated ${new Date().toLocaleTimeString()} · ${s.ok} answers, ${s.notModified} not modified (304)`);
  } catch (e) {
    if (e.status === 401) { clearInterval(timer); sessionStorage.removeItem("bc.token"); showSignIn(e.message); }
    else replace($("poll-state"), errorLine(e));
  } finally {
    ticking = false;
    if (again) { again = false; tick(); }
  }
}

function start() {
  ctx.charts = typeof window.Chart !== "undefined";
  if (!ctx.charts)
    replace($("charts-note"), "Charts are off: the tracker serves no Chart.js (install Debian's libjs-chart.js or set [console] chartjs).");
  $("signin-button").addEventListener("click", () => signIn($("token").value).catch((e) => showSignIn(e.message)));
  $("token").addEventListener("keydown", (ev) => { if (ev.key === "Enter") $("signin-button").click(); });
  $("signout").addEventListener("click", signOut);
  window.addEventListener("hashchange", () => { if (ctx.api) route().catch((e) => replace($("view"), errorLine(e))); });
  const saved = sessionStorage.getItem("bc.token");
  if (saved) signIn(saved).catch((e) => showSignIn(e.message));
  else showSignIn();
}

start();
