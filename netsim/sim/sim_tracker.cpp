// The content's chunk space and the tracker side of the simulation: every
// announce goes through the tracker's own Swarm and select_peers, so who may
// fetch from whom (branch tiers, WAN fallback, origin grants) is decided by
// the code the tracker runs, not by a model of it.
#include <algorithm>
#include <cmath>

#include "netsim/sim/sim_state.hpp"
#include "tracker/bt/policy/select_peers.hpp"

namespace bc::netsim::sim {

namespace tbt = tracker::bt;

namespace {

// Appends chunks totalling `bytes` to the chunk space; returns their ids.
std::vector<std::uint32_t> add_chunks(SimState& st, std::uint64_t bytes) {
  std::vector<std::uint32_t> ids;
  for (std::uint64_t off = 0; off < bytes; off += st.o.chunk_bytes) {
    ids.push_back(st.chunk_count++);
    st.chunk_bytes.push_back(std::min(st.o.chunk_bytes, bytes - off));
  }
  return ids;
}

int add_torrent(SimState& st, std::size_t layer, int version, std::vector<std::uint32_t> chunks) {
  Torrent t;
  t.layer = layer;
  t.version = version;
  t.chunks = std::move(chunks);
  st.torrents.push_back(std::move(t));
  st.torrent_of[{layer, version}] = static_cast<int>(st.torrents.size() - 1);
  return static_cast<int>(st.torrents.size() - 1);
}

// Node i's address: 10.x.y.z from its index, so a selected peer maps back to
// its node without a lookup.
tbt::IpAddress address_of(int i) {
  return tbt::IpAddress::v4_from(10, std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
}
int node_of(const tbt::PeerEntry& e) {
  const auto& b = e.v4->address.bytes;
  return (int(b[1]) << 16) | (int(b[2]) << 8) | int(b[3]);
}

std::uint64_t left_bytes(const SimState& st, const Node& n, const Torrent& t) {
  std::uint64_t left = 0;
  for (std::uint32_t c : t.chunks)
    if (!bit(n.have, c)) left += st.chunk_bytes[c];
  return left;
}

}  // namespace

void build_torrents(SimState& st) {
  for (std::size_t l = 0; l < st.s->layers.size(); ++l) {
    const LayerDef& def = st.s->layers[l];
    std::vector<std::uint32_t> v1 = add_chunks(st, def.size_bytes);
    if (def.v2_change_ratio) {
      auto changed = static_cast<std::uint64_t>(std::llround(*def.v2_change_ratio * double(def.size_bytes)));
      std::vector<std::uint32_t> v2 = add_chunks(st, std::max<std::uint64_t>(changed, 1));
      // v2 replaces as many of v1's leading chunks as its new bytes fill.
      std::size_t replaced = std::min(v1.size(), v2.size());
      v2.insert(v2.end(), v1.begin() + static_cast<std::ptrdiff_t>(replaced), v1.end());
      add_torrent(st, l, 1, v1);
      add_torrent(st, l, 2, std::move(v2));
    } else {
      add_torrent(st, l, 1, std::move(v1));
    }
  }
  const std::size_t words = (st.chunk_count + 63) / 64;
  tbt::SwarmLimits lim;
  lim.max_peers = st.nodes.size() + 16;
  for (Torrent& t : st.torrents) {
    t.mask.assign(words, 0);
    for (std::uint32_t c : t.chunks) {
      set_bit(t.mask, c);
      t.bytes += st.chunk_bytes[c];
    }
    t.swarm = std::make_unique<tbt::Swarm>(t.bytes, lim);
  }
}

void connect(SimState& st, int a, int b) {
  if (a == b) return;
  std::vector<int>& na = st.nodes[a].neighbours;
  auto at = std::lower_bound(na.begin(), na.end(), b);
  if (at != na.end() && *at == b) return;
  na.insert(at, b);
  std::vector<int>& nb = st.nodes[b].neighbours;
  nb.insert(std::lower_bound(nb.begin(), nb.end(), a), a);
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    Node& n = st.nodes[x];
    const Node& m = st.nodes[y];
    for (std::size_t w = 0; w < n.avail.size(); ++w) n.avail[w] |= m.have[w];
    mark_dirty(st, x);
  }
}

void announce(SimState& st, int i, int ti) {
  Node& n = st.nodes[i];
  Torrent& t = st.torrents[ti];
  const std::int64_t now_s = st.now_ms / 1000;
  tbt::PeerUpdate u;
  u.node_id = n.id;
  u.role = n.role == Role::origin ? tbt::NodeRole::origin
           : n.role == Role::reflector ? tbt::NodeRole::reflector : tbt::NodeRole::endpoint;
  u.branch = n.branch < 0 ? "" : st.branches[n.branch].def->name;
  u.v4 = tbt::PeerEndpoint{address_of(i), 6881};
  u.left_bytes = left_bytes(st, n, t);
  auto e = t.swarm->upsert(u, now_s);
  ++st.r.announces;
  if (!e.ok()) {
    st.r.violations.push_back("announce of " + n.id + " refused: " + e.status().to_string());
    return;
  }
  if (n.role == Role::origin) return;
  const bool live = !st.branches[n.branch].reflectors.empty();
  tbt::Requester req = tbt::Requester::from_entry(**e, "", live);
  tbt::Selection sel = tbt::select_peers(req, *t.swarm, st.o.numwant, tbt::PeerSelectionOptions{}, st.rng, now_s);
  if (sel.origin_refused) ++st.r.origin_grants_refused;
  for (const tbt::SelectedPeer& p : sel.peers) {
    const int j = node_of(*p.peer);
    // Sources in another branch (hubs, foreign reflectors) are not modelled
    // yet: the default policy hands out none.
    if (st.nodes[j].role == Role::origin || st.nodes[j].branch == n.branch) connect(st, i, j);
  }
  if (u.left_bytes > 0) st.announce_due.insert({st.now_ms + st.o.announce_interval_ms, i, ti});
}

}  // namespace bc::netsim::sim
