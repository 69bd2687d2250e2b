// Where the views get the rollout picture: GET /api/v1/status/rollout and
// /api/v1/status/history (docs/api.md, "Rollout status"). A tracker without
// them (an older build) still gets a console: the same shape is put together
// from /status/branches, /branches, /reflectors and /endpoints, and the
// history is what this tab sampled since it opened.

// When the tracker answered 404, ask again only after RETRY_S (a tracker
// upgraded underneath the tab), not on every poll.
const RETRY_S = 60;
let missingSince = 0;

export async function rolloutStatus(api) {
  if (Date.now() / 1000 - missingSince > RETRY_S) {
    try {
      const s = await api.get("/api/v1/status/rollout");
      missingSince = 0;
      return s;
    } catch (e) {
      if (e.status !== 404) throw e;
      missingSince = Date.now() / 1000;
    }
  }
  return legacyStatus(api);
}

export function capOf(branchRecord) {
  const d = branchRecord?.wan_policy?.default?.download;
  return d && typeof d.bytes_per_s === "number" ? d.bytes_per_s : null;
}

async function legacyStatus(api) {
  const [summary, branches, reflectors, endpoints] = await Promise.all([
    api.get("/api/v1/status/branches"), api.get("/api/v1/branches"),
    api.get("/api/v1/reflectors"), api.get("/api/v1/endpoints")]);
  const now = Date.now() / 1000;
  return {
    time: Math.floor(now),
    legacy: true,
    branches: branches.map((b) => {
      const s = summary[b.name] || {};
      const eps = endpoints.filter((e) => e.branch === b.name).length;
      const refl = reflectors.filter((r) => r.branch === b.name);
      const seen = (r) => r.last_heartbeat || r.heartbeat_at || r.last_seen || 0;
      return {
        name: b.name, cap_bytes_per_s: capOf(b), window: null,
        reflectors: { alive: refl.filter((r) => now - seen(r) < 300).length, total: refl.length },
        endpoints: eps,
        wan: { bytes: s.bytes_by_source?.origin ?? 0, rate_bytes_per_s: null },
        bytes_by_source: s.bytes_by_source || { origin: 0, reflector: 0, peer: 0 },
        layers: Object.entries(s.layers || {}).map(([ref, st]) => ({
          // Every node reporting the layer (the reflector too): what the
          // old summary can tell; /status/rollout counts desired stacks.
          ref, done: (st.applied || 0) + (st.complete || 0), total: Object.values(st).reduce((a, n) => a + n, 0),
          downloading: (st.downloading || 0) + (st.verifying || 0), failed: st.failed || 0,
          bytes_done: null, bytes_total: null, eta_s: null })),
        errors: [], stragglers: [] };
    }) };
}

// Samples of the rollout status this tab has seen, per branch: the history
// when the tracker has none, and the WAN rate of a legacy status.
export class Sampler {
  constructor() { this.byBranch = new Map(); }

  add(status) {
    for (const b of status.branches || []) {
      const list = this.byBranch.get(b.name) || [];
      const last = list[list.length - 1];
      if (last && last.time === status.time) continue;
      if (b.wan.rate_bytes_per_s === null && last && status.time > last.time)
        b.wan.rate_bytes_per_s = Math.max(0, (b.wan.bytes - last.wan_bytes) / (status.time - last.time));
      const layers = {};
      for (const l of b.layers) layers[l.ref] = { done: l.done, total: l.total, bytes_done: l.bytes_done, bytes_total: l.bytes_total };
      list.push({ time: status.time, wan_bytes: b.wan.bytes, wan_rate_bytes_per_s: b.wan.rate_bytes_per_s, layers });
      if (list.length > 1800) list.shift();
      this.byBranch.set(b.name, list);
    }
  }

  samples(branch) { return this.byBranch.get(branch) || []; }
}

// The tracker's history of a branch, or this tab's samples when it has none.
export async function history(api, sampler, branch) {
  if (!missingSince) {
    try {
      const h = await api.get("/api/v1/status/history?branch=" + encodeURIComponent(branch));
      return { samples: h.samples || [], source: "tracker" };
    } catch (e) {
      if (e.status !== 404) throw e;
    }
  }
  return { samples: sampler.samples(branch), source: "this tab" };
}

// Layer records by ref (sizes for "WAN bytes against new content").
export async function layersByRef(api) {
  const list = await api.get("/api/v1/layers");
  return new Map(list.map((l) => [l.ref, l]));
}
