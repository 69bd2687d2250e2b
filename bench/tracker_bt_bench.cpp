// Benchmark of the tracker's BitTorrent half: peer selection on a large swarm
// and the whole announce path, each against a reference measured in the same
// run (a branch-blind random pick), plus the quality numbers that justify the
// cost: WAN hand-outs and how evenly hand-outs spread.
//
// Times are thread CPU time.
// Usage: bc-bench-tracker-bt [branches=100] [endpoints_per_branch=98] [announces=20000]
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "tracker/bt/bt_service.hpp"
#include "tracker/bt/policy/select_peers.hpp"

using namespace bc;
using namespace bc::tracker::bt;

namespace {

constexpr uint64_t kTotal = 1 << 30;

// Thread CPU time, so other processes on a shared machine distort less.
double now_s() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Net {
  Swarm swarm{kTotal, SwarmLimits{}};
  std::vector<std::string> nodes;
  std::vector<const PeerEntry*> all;
};

void build(Net& n, int branches, int endpoints, SplitMix64& rng) {
  uint32_t ip = 1;
  auto add = [&](const std::string& id, NodeRole role, const std::string& branch, uint64_t left) {
    PeerUpdate u{id, role, branch};
    u.v4 = PeerEndpoint{IpAddress::v4_from(10, uint8_t(ip >> 16), uint8_t(ip >> 8), uint8_t(ip)), 6881};
    ++ip;
    u.left_bytes = left;
    n.all.push_back(n.swarm.upsert(u, 0).value());
    n.nodes.push_back(id);
  };
  add("origin", NodeRole::origin, "", 0);
  for (int b = 0; b < branches; ++b) {
    std::string br = "b" + std::to_string(b);
    for (int r = 0; r < 2; ++r) add(br + "-r" + std::to_string(r), NodeRole::reflector, br, rng.below(2) ? 0 : kTotal / 3);
    for (int e = 0; e < endpoints; ++e)
      add(br + "-e" + std::to_string(e), NodeRole::endpoint, br, rng.below(3) == 0 ? kTotal : rng.below(kTotal));
  }
}

// The reference: a branch-blind tracker handing out numwant random peers.
std::vector<const PeerEntry*> random_pick(const Net& n, const PeerEntry& self, size_t numwant, SplitMix64& rng,
                                          std::vector<const PeerEntry*>& scratch) {
  scratch = n.all;
  std::vector<const PeerEntry*> out;
  for (size_t i = 0; i < scratch.size() && out.size() < numwant; ++i) {
    size_t j = i + rng.below(scratch.size() - i);
    std::swap(scratch[i], scratch[j]);
    if (scratch[i] != &self) out.push_back(scratch[i]);
  }
  return out;
}

// Per branch: the most-handed-out holder's count over the branch's mean (every holder,
// handed out or not); the worst branch is reported.
double worst_max_over_mean(const Net& n, const std::map<std::string, size_t>& counts) {
  std::map<std::string, std::pair<size_t, size_t>> per_branch;  // branch -> (total, max)
  std::map<std::string, size_t> holders;
  for (const PeerEntry* p : n.all) {
    if (p->role != NodeRole::endpoint || !p->has_pieces) continue;
    auto it = counts.find(p->node_id);
    size_t c = it == counts.end() ? 0 : it->second;
    auto& [total, max] = per_branch[p->branch];
    total += c;
    max = std::max(max, c);
    ++holders[p->branch];
  }
  double worst = 0;
  for (auto& [b, tm] : per_branch)
    if (tm.first) worst = std::max(worst, double(tm.second) / (double(tm.first) / double(holders[b])));
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  int branches = argc > 1 ? std::atoi(argv[1]) : 100;
  int endpoints = argc > 2 ? std::atoi(argv[2]) : 98;
  int announces = argc > 3 ? std::atoi(argv[3]) : 20000;
  SplitMix64 rng(42);
  Net net;
  build(net, branches, endpoints, rng);
  std::printf("swarm: %zu peers in %d branches (2 reflectors + %d endpoints each) + origin; numwant 50\n",
              net.swarm.size(), branches, endpoints);

  // Selection: ours vs the branch-blind reference, same requesters.
  std::vector<std::string> order;
  for (int i = 0; i < announces; ++i) order.push_back(net.nodes[1 + rng.below(net.nodes.size() - 1)]);
  size_t wan_ours = 0, wan_ref = 0, given_ours = 0, given_ref = 0;
  double t0 = now_s();
  SplitMix64 prng(7);
  for (const std::string& id : order) {
    const PeerEntry* e = net.swarm.find(id);
    Requester r = Requester::from_entry(*e, "", true);
    Selection s = select_peers(r, net.swarm, 50, {}, prng, 100);
    for (const SelectedPeer& p : s.peers) {
      ++given_ours;
      if (crosses_wan(p.tier)) ++wan_ours;
    }
  }
  double t_ours = (now_s() - t0) / announces;
  std::vector<const PeerEntry*> scratch;
  t0 = now_s();
  SplitMix64 rrng(7);
  for (const std::string& id : order) {
    const PeerEntry* e = net.swarm.find(id);
    for (const PeerEntry* p : random_pick(net, *e, 50, rrng, scratch)) {
      ++given_ref;
      if (p->branch != e->branch || e->branch.empty()) ++wan_ref;
    }
  }
  double t_ref = (now_s() - t0) / announces;
  std::printf("select_peers:        %8.2f us/announce   branch-blind random reference: %8.2f us   ratio %.2f\n",
              t_ours * 1e6, t_ref * 1e6, t_ours / t_ref);
  std::printf("WAN hand-outs:       %8.4f of peers       reference: %.4f\n", double(wan_ours) / double(given_ours),
              double(wan_ref) / double(given_ref));

  // Spread, numwant 10, in a fresh hand-out window: ours vs a naive topology-aware policy
  // (same-branch holders, most complete first, no rotation).
  std::map<std::string, size_t> holder_counts, naive_counts;
  for (const std::string& id : order) {
    const PeerEntry* e = net.swarm.find(id);
    if (e->role != NodeRole::endpoint || e->seed()) continue;
    Requester r = Requester::from_entry(*e, "", true);
    PeerSelectionOptions uncapped;
    uncapped.max_handouts_per_peer = 0;
    for (const SelectedPeer& p : select_peers(r, net.swarm, 10, uncapped, prng, 4000).peers)
      if (p.tier == TierKind::branch_holders) ++holder_counts[p.peer->node_id];
    std::vector<const PeerEntry*> holders;
    for (const PeerEntry* p : net.swarm.branch(e->branch))
      if (p != e && p->role == NodeRole::endpoint && p->has_pieces) holders.push_back(p);
    std::sort(holders.begin(), holders.end(), [](const PeerEntry* a, const PeerEntry* b) {
      return a->completeness_permille > b->completeness_permille;
    });
    for (size_t i = 0; i < holders.size() && i < 8; ++i) ++naive_counts[holders[i]->node_id];
  }
  std::printf("hand-out max/mean:   %8.2f (worst branch; holders, numwant 10, no cap)   naive most-complete-first: %.2f\n",
              worst_max_over_mean(net, holder_counts), worst_max_over_mean(net, naive_counts));

  // The whole announce path: parse + registry + select + encode, vs parse alone.
  struct Dir : BtDirectory {
    const Net* n;
    Result<NodeIdentity> node_for_key(std::string_view key, const IpAddress&) override {
      NodeIdentity id;
      id.node_id = std::string(key);
      const PeerEntry* e = n->swarm.find(std::string(key.substr(0, key.find('x'))));
      id.role = e ? e->role : NodeRole::endpoint;
      id.branch = e ? e->branch : "";
      id.branch_has_live_reflector = true;
      return id;
    }
    Result<uint64_t> torrent_bytes(const InfoHash&) override { return kTotal; }
  } dir;
  dir.n = &net;
  BtService svc({}, dir);
  std::vector<std::string> queries;
  std::string hash = "%AB%CD%EF%01%23%45%67%89%AB%CD%EF%01%23%45%67%89%AB%CD%EF%01";
  for (const std::string& id : order) {
    std::string key = id + std::string(std::max<size_t>(16, id.size() + 1) - id.size(), 'x');
    queries.push_back("bckey=" + key + "&info_hash=" + hash + "&peer_id=-LT2080-abcdefghijkl&port=6881&uploaded=0"
                      "&downloaded=0&left=" + std::to_string(rng.below(kTotal)) + "&numwant=50&compact=1&no_peer_id=1");
  }
  t0 = now_s();
  size_t bytes = 0;
  for (size_t i = 0; i < queries.size(); ++i) bytes += svc.announce(queries[i], IpAddress::v4_from(10, 0, 0, 1), 100).size();
  double t_svc = (now_s() - t0) / double(queries.size());
  t0 = now_s();
  size_t ok = 0;
  for (const std::string& q : queries) ok += parse_announce_query(q).ok();
  double t_parse = (now_s() - t0) / double(queries.size());
  std::printf("BtService::announce: %8.2f us/announce   parse alone: %.2f us   ratio %.1f   (%zu parsed, %.0f B/response)\n",
              t_svc * 1e6, t_parse * 1e6, t_svc / t_parse, ok, double(bytes) / double(queries.size()));
  return 0;
}
