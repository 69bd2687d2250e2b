// The simulation loop: assignments, announces, chunk picking, the fluid step
// and completions, in virtual time. See simulator.hpp.
#include "netsim/sim/simulator.hpp"

#include <algorithm>
#include <cmath>

#include "netsim/sim/sim_state.hpp"

namespace bc::netsim::sim {

namespace {

constexpr std::uint32_t kMaxChunks = 1u << 24;
constexpr int kPickScan = 32;  // candidates compared for rarity per pick

void add_node(SimState& st, Role role, int branch, std::string id) {
  Node n;
  n.role = role;
  n.branch = branch;
  n.id = std::move(id);
  st.nodes.push_back(std::move(n));
  if (branch < 0) return;
  BranchState& b = st.branches[branch];
  (role == Role::reflector ? b.reflectors : b.endpoints).push_back(int(st.nodes.size() - 1));
}

void setup(SimState& st) {
  add_node(st, Role::origin, -1, "origin");
  st.branches.resize(st.s->branches.size());
  for (std::size_t b = 0; b < st.s->branches.size(); ++b) {
    const BranchDef& def = st.s->branches[b];
    st.branches[b].def = &def;
    for (std::size_t i = 1; i <= def.reflectors; ++i) add_node(st, Role::reflector, int(b), def.name + "-r" + std::to_string(i));
    for (std::size_t i = 1; i <= def.endpoints; ++i) add_node(st, Role::endpoint, int(b), def.name + "-e" + std::to_string(i));
  }
  build_torrents(st);
  const std::size_t words = (st.chunk_count + 63) / 64;
  for (Node& n : st.nodes) {
    n.have.assign(words, 0);
    n.want = n.inflight = n.avail = n.have;
    n.current.assign(st.s->layers.size(), -1);
  }
  for (std::uint32_t c = 0; c < st.chunk_count; ++c) set_bit(st.nodes[0].have, c);
  for (BranchState& b : st.branches) {
    b.avail.assign(st.chunk_count, 0);
    b.out.name = b.def->name;
    b.out.reflectors = b.reflectors.size();
    b.out.endpoints = b.endpoints.size();
    b.out.completion_ms.assign(st.s->assignments.size(), std::vector<std::int64_t>(b.endpoints.size(), -1));
    b.out.targeted.assign(st.s->assignments.size(), false);
  }
  for (std::size_t t = 0; t < st.torrents.size(); ++t) announce(st, 0, int(t));
}

bool targets(const AssignmentDef& a, const std::string& branch) {
  return a.branches.empty() || std::find(a.branches.begin(), a.branches.end(), branch) != a.branches.end();
}

void record_completion(SimState& st, int i, int a) {
  const Node& n = st.nodes[i];
  if (n.role != Role::endpoint) return;
  BranchState& b = st.branches[n.branch];
  auto it = std::lower_bound(b.endpoints.begin(), b.endpoints.end(), i);
  b.out.completion_ms[a][it - b.endpoints.begin()] = std::max<std::int64_t>(0, st.event_ms - st.s->assignments[a].at_ms);
}

void assign(SimState& st, int a) {
  const AssignmentDef& def = st.s->assignments[a];
  std::size_t layer = 0;
  while (layer < st.s->layers.size() && st.s->layers[layer].name != def.layer) ++layer;
  auto t = st.torrent_of.find({layer, def.version});
  if (t == st.torrent_of.end()) return;
  const Torrent& tor = st.torrents[t->second];
  for (BranchState& b : st.branches) {
    if (!targets(def, b.def->name)) continue;
    b.out.targeted[a] = true;
    for (const auto* group : {&b.reflectors, &b.endpoints}) {
      for (int i : *group) {
        Node& n = st.nodes[i];
        n.current[layer] = t->second;
        // An earlier assignment of this layer not yet complete is superseded:
        // its completion stays -1.
        for (std::size_t k = n.pending.size(); k-- > 0;)
          if (st.s->assignments[n.pending[k].first].layer == def.layer) {
            n.pending.erase(n.pending.begin() + std::ptrdiff_t(k));
            --st.pending_total;
          }
        std::fill(n.want.begin(), n.want.end(), 0);
        for (int ct : n.current)
          if (ct >= 0)
            for (std::size_t w = 0; w < n.want.size(); ++w) n.want[w] |= st.torrents[ct].mask[w];
        int missing = 0;
        for (std::uint32_t c : tor.chunks) missing += !bit(n.have, c);
        if (missing == 0) record_completion(st, i, a);
        else n.pending.emplace_back(a, missing), ++st.pending_total;
        if (std::find(n.torrents.begin(), n.torrents.end(), t->second) == n.torrents.end()) n.torrents.push_back(t->second);
        mark_dirty(st, i);
        announce(st, i, t->second);
      }
    }
  }
}

// The source for chunk c: a LAN neighbour holding it with the fewest uploads,
// else the origin (a WAN source). -1 when none holds it.
int pick_source(const SimState& st, const Node& n, std::uint32_t c) {
  int best = -1, origin = -1;
  for (int j : n.neighbours) {
    const Node& m = st.nodes[j];
    if (!bit(m.have, c)) continue;
    if (m.role == Role::origin) origin = j;
    else if (best < 0 || m.lan_uploads < st.nodes[best].lan_uploads) best = j;
  }
  return best >= 0 ? best : origin;
}

// Rarest first within the branch, from a random start so nodes spread.
std::int64_t pick_chunk(SimState& st, const Node& n) {
  const std::size_t words = n.have.size();
  const std::uint16_t* avail = n.branch >= 0 ? st.branches[n.branch].avail.data() : nullptr;
  std::int64_t best = -1;
  int seen = 0;
  const std::size_t start = words ? std::size_t(st.rng.below(words)) : 0;
  for (std::size_t k = 0; k < words && seen < kPickScan; ++k) {
    const std::size_t w = (start + k) % words;
    std::uint64_t cand = n.want[w] & n.avail[w] & ~n.have[w] & ~n.inflight[w];
    while (cand && seen < kPickScan) {
      const auto c = std::int64_t(w * 64 + std::size_t(__builtin_ctzll(cand)));
      cand &= cand - 1;
      ++seen;
      if (best < 0 || avail[c] < avail[best]) best = c;
    }
  }
  return best;
}

void pick(SimState& st, int i) {
  Node& n = st.nodes[i];
  n.dirty = false;
  while (n.downloads < st.o.slots) {
    const std::int64_t c = pick_chunk(st, n);
    if (c < 0) return;
    const int src = pick_source(st, n, std::uint32_t(c));
    if (src < 0) {  // avail said a neighbour holds it: cannot happen
      st.r.violations.push_back(n.id + ": chunk " + std::to_string(c) + " available but no source");
      return;
    }
    Flow f{src, i, std::uint32_t(c), double(st.chunk_bytes[c]), st.nodes[src].role == Role::origin, 0};
    if (f.wan && !n.gov && st.branches[n.branch].def->governor == GovernorMode::on) {
      n.gov = std::make_unique<governor::Governor>();
      n.wan_limit = double(governor::GovernorOptions{}.initial_rate_bytes_per_s);
    }
    if (!f.wan) ++st.nodes[src].lan_uploads;
    ++n.downloads;
    set_bit(n.inflight, f.chunk);
    st.flows.push_back(f);
  }
}

void complete(SimState& st, const Flow& f) {
  Node& n = st.nodes[f.dst];
  set_bit(n.have, f.chunk);
  clear_bit(n.inflight, f.chunk);
  --n.downloads;
  if (!f.wan) --st.nodes[f.src].lan_uploads;
  ++st.branches[n.branch].avail[f.chunk];
  ++st.r.chunks_moved;
  mark_dirty(st, f.dst);
  for (int j : n.neighbours) {
    Node& m = st.nodes[j];
    set_bit(m.avail, f.chunk);
    if (!bit(m.have, f.chunk)) mark_dirty(st, j);
  }
  for (std::size_t k = 0; k < n.pending.size();) {
    auto& [a, missing] = n.pending[k];
    const AssignmentDef& def = st.s->assignments[a];
    std::size_t layer = 0;
    while (st.s->layers[layer].name != def.layer) ++layer;
    const int t = st.torrent_of.at({layer, def.version});
    if (bit(st.torrents[t].mask, f.chunk) && --missing == 0) {
      record_completion(st, f.dst, a);
      announce(st, f.dst, t);  // a seed now: releases its origin grant
      n.pending.erase(n.pending.begin() + std::ptrdiff_t(k));
      --st.pending_total;
    } else {
      ++k;
    }
  }
}

void advance(SimState& st) {
  const double dt = double(st.o.step_ms) / 1000;
  const std::size_t bucket = std::size_t(st.now_ms / st.o.origin_bucket_ms);
  if (st.r.origin_bytes_per_s.size() <= bucket) st.r.origin_bytes_per_s.resize(bucket + 1, 0);
  std::vector<std::pair<double, Flow>> done;  // (finish ms, flow)
  std::size_t keep = 0;
  for (Flow& f : st.flows) {
    const double moved = std::min(f.left, f.rate * dt);
    const double finish_ms = double(st.now_ms) + (f.rate > 0 ? 1000 * f.left / f.rate : 0);
    f.left -= moved;
    if (f.wan) {
      st.nodes[f.dst].wan_step_bytes += std::uint64_t(std::llround(moved));  // the governor's feed
      st.r.origin_bytes_per_s[bucket] += moved * 1000.0 / double(st.o.origin_bucket_ms);
    }
    if (f.left <= 0.5) {
      // The byte totals count a chunk exactly, once, when it has arrived:
      // summing rounded per-step shares drifted a few bytes from the chunk sizes.
      if (f.wan) {
        st.branches[st.nodes[f.dst].branch].out.wan_down_bytes += st.chunk_bytes[f.chunk];
        st.r.origin_upload_bytes += st.chunk_bytes[f.chunk];
      }
      done.emplace_back(finish_ms, f);
    } else {
      st.flows[keep++] = f;
    }
  }
  st.flows.resize(keep);
  // In finishing order, so completion times fall within the step, not at its end.
  std::stable_sort(done.begin(), done.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [at, f] : done) {
    st.event_ms = std::int64_t(std::ceil(at));
    complete(st, f);
  }
  st.event_ms = st.now_ms;
}

bool all_done(const SimState& st, std::size_t applied) {
  return applied == st.s->assignments.size() && st.pending_total == 0;
}

void run_pickers(SimState& st) {
  std::vector<int> dirty;
  dirty.swap(st.dirty);
  std::sort(dirty.begin(), dirty.end());  // node order, whatever marked them
  for (int i : dirty) pick(st, i);
}

// With nothing moving and nothing to pick, the next thing that can happen is
// an assignment or an announce: jump to the step before it.
void skip_idle(SimState& st, std::int64_t next_assignment_ms) {
  if (!st.flows.empty() || !st.dirty.empty()) return;
  std::int64_t next = next_assignment_ms;
  if (!st.announce_due.empty()) next = std::min(next, std::get<0>(*st.announce_due.begin()));
  const std::int64_t steps = (next - st.now_ms) / st.o.step_ms - 1;
  if (steps > 0) st.now_ms += steps * st.o.step_ms;
}

}  // namespace

Result<SimResult> simulate(const Scenario& s, const SimOptions& o) {
  if (o.step_ms <= 0 || o.chunk_bytes == 0 || o.slots <= 0 || o.origin_bucket_ms <= 0)
    return Status::invalid_argument("simulate: step_ms, chunk_bytes, slots and origin_bucket_ms must be > 0");
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < s.layers.size(); ++i) {
    // Realistic layers (emulate's content = "realistic") take their size from
    // a Debian root when emulate writes them; the model needs it up front.
    if (s.layers[i].size_bytes == 0)
      return Status::invalid_argument("layers[" + std::to_string(i) + "] (\"" + s.layers[i].name +
                                      "\"): no size; simulate models a layer by its size: give it size_mib "
                                      "and v2_change_ratio, or run with --layer NAME=MIB[:V2_RATIO]");
    total += s.layers[i].size_bytes * 2;
  }
  if (total / o.chunk_bytes >= kMaxChunks)
    return Status::invalid_argument("simulate: layers too large for chunk size " + std::to_string(o.chunk_bytes) +
                                    "; use a larger chunk");
  SimState st;
  st.s = &s;
  st.o = o;
  st.rng = SplitMix64(o.seed);
  st.r.seed = o.seed;
  setup(st);
  std::vector<int> order(s.assignments.size());
  for (std::size_t a = 0; a < order.size(); ++a) order[a] = int(a);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return s.assignments[x].at_ms < s.assignments[y].at_ms; });
  std::size_t applied = 0;
  for (; st.now_ms < s.duration_ms; st.now_ms += o.step_ms) {
    st.event_ms = st.now_ms;
    while (applied < order.size() && s.assignments[order[applied]].at_ms <= st.now_ms) assign(st, order[applied++]);
    while (!st.announce_due.empty() && std::get<0>(*st.announce_due.begin()) <= st.now_ms) {
      auto [at, i, t] = *st.announce_due.begin();
      st.announce_due.erase(st.announce_due.begin());
      announce(st, i, t);
    }
    run_pickers(st);
    allocate_rates(st);
    advance(st);
    tick_governors(st);
    if (all_done(st, applied)) {
      st.now_ms += o.step_ms;
      break;
    }
    skip_idle(st, applied < order.size() ? s.assignments[order[applied]].at_ms : s.duration_ms);
  }
  return finish(st, applied == order.size());
}

}  // namespace bc::netsim::sim
