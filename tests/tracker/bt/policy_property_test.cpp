// Properties of branch-aware peer selection over random topologies (seeded:
// a failure names its seed, and the seed reproduces it).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/tracker/bt/swarm_fixture.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using namespace bc::tracker::bt::test;

namespace {

struct Topology {
  std::unique_ptr<SwarmFixture> f;
  std::vector<std::string> branches;
  std::map<std::string, std::string> parent;  // branch -> hub
  std::map<std::string, bool> live;           // branch -> has a live reflector
  std::vector<std::string> nodes;
  PeerSelectionOptions options;
};

uint64_t random_left(SplitMix64& rng) {
  switch (rng.below(4)) {
    case 0: return 0;
    case 1: return kTotal;
    default: return 1 + rng.below(kTotal - 1);
  }
}

Topology random_topology(uint64_t seed) {
  SplitMix64 rng(seed);
  Topology t;
  SwarmLimits l;
  l.origin_grants.per_branch = 1 + rng.below(3);
  t.f = std::make_unique<SwarmFixture>(l);
  size_t nb = 1 + rng.below(6);
  for (size_t b = 0; b < nb; ++b) {
    std::string name = "b" + std::to_string(b);
    t.branches.push_back(name);
    if (b > 0 && rng.below(3) == 0) t.parent[name] = t.branches[rng.below(b)];
    size_t reflectors = rng.below(4), endpoints = rng.below(25);
    t.live[name] = reflectors > 0 ? rng.below(10) != 0 : rng.below(10) == 0;
    for (size_t i = 0; i < reflectors + endpoints; ++i) {
      std::string id = name + (i < reflectors ? "-r" : "-e") + std::to_string(i);
      uint64_t fam = rng.below(10);  // mostly v4; some v6-only, some dual-stack
      t.f->add(id, i < reflectors ? NodeRole::reflector : NodeRole::endpoint, name, random_left(rng), fam < 8,
               fam >= 7);
      t.nodes.push_back(id);
    }
  }
  for (size_t i = 0, n = rng.below(4); i < n; ++i) {
    t.f->add("roam" + std::to_string(i), NodeRole::endpoint, "", random_left(rng), true, false);
    t.nodes.push_back("roam" + std::to_string(i));
  }
  if (rng.below(10) != 0) {
    t.f->add("O", NodeRole::origin, "", 0, true, true);
    t.nodes.push_back("O");
  }
  t.options.wan_fallback = rng.below(4) != 0;
  t.options.fallback_to_parent = rng.below(2);
  t.options.fallback_to_origin = rng.below(4) != 0;
  t.options.fallback_to_foreign_reflectors = rng.below(3) == 0;
  t.options.roaming_to_origin = rng.below(2);
  t.options.max_handouts_per_peer = uint32_t(rng.below(3) == 0 ? 0 : 1 + rng.below(20));
  return t;
}

Requester requester(const Topology& t, const std::string& id) {
  const PeerEntry* e = t.f->swarm.find(id);
  auto p = t.parent.find(e->branch);
  auto l = t.live.find(e->branch);
  return Requester::from_entry(*e, p == t.parent.end() ? "" : p->second, l != t.live.end() && l->second);
}

// Why `p` may be handed to `r` although it is not in r's branch; empty when it may not.
bool wan_allowed(const Requester& r, const PeerEntry& p, const PeerSelectionOptions& o) {
  if (r.seed || r.role == NodeRole::origin) return false;
  if (r.role == NodeRole::reflector)
    return p.role == NodeRole::origin || (p.role == NodeRole::reflector && !r.parent_branch.empty() &&
                                          p.branch == r.parent_branch);
  if (r.branch.empty()) return o.roaming_to_origin && p.role == NodeRole::origin;
  if (r.branch_has_live_reflector || !o.wan_fallback) return false;
  if (p.role == NodeRole::origin) return o.fallback_to_origin;
  if (p.role != NodeRole::reflector) return false;
  if (!r.parent_branch.empty() && p.branch == r.parent_branch) return o.fallback_to_parent;
  return o.fallback_to_foreign_reflectors;
}

}  // namespace

TEST_CASE("property: selections respect branches, numwant, self, duplicates, families and tier order") {
  size_t checked = 0, wan = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    Topology t = random_topology(seed);
    SplitMix64 pick(seed * 7919), rng(seed);
    for (int a = 0; a < 40 && !t.nodes.empty(); ++a) {
      const std::string& id = t.nodes[pick.below(t.nodes.size())];
      Requester r = requester(t, id);
      size_t numwant = pick.below(30);
      Selection s = select_peers(r, t.f->swarm, numwant, t.options, rng, int64_t(a) * 60);
      INFO("seed " << seed << " announce " << a << " requester " << id);
      CHECK(s.peers.size() <= numwant);
      std::set<std::string> seen;
      bool past_reflectors = false;
      for (const SelectedPeer& sp : s.peers) {
        const PeerEntry& p = *sp.peer;
        CHECK(p.node_id != r.node_id);
        CHECK(seen.insert(p.node_id).second);
        CHECK(((r.has_v4 && p.v4) || (r.has_v6 && p.v6)));
        bool lan = !r.branch.empty() && p.branch == r.branch;
        if (!lan) {
          CHECK(wan_allowed(r, p, t.options));
          ++wan;
        }
        CHECK(crosses_wan(sp.tier) == !lan);
        if (r.seed) CHECK_FALSE(p.seed());                    // seeds upload to leechers only
        if (p.role == NodeRole::origin) CHECK_FALSE(r.seed);  // nobody complete needs the origin
        if (r.role == NodeRole::endpoint && !r.seed && lan) {
          // Endpoint peers only when they hold pieces, or are the branch's stand-in source (its grant holder).
          if (p.role == NodeRole::endpoint) CHECK((p.has_pieces || t.f->swarm.origin_grants().holds(p.node_id)));
          if (p.role == NodeRole::reflector) CHECK_FALSE(past_reflectors);
          else past_reflectors = true;
        }
      }
      // Reflectors first: when numwant allows, an incomplete endpoint gets every reachable reflector of its branch.
      if (r.role == NodeRole::endpoint && !r.seed && !r.branch.empty()) {
        size_t reachable = 0;
        for (const PeerEntry* p : t.f->swarm.branch(r.branch))
          if (p->role == NodeRole::reflector && ((r.has_v4 && p->v4) || (r.has_v6 && p->v6))) ++reachable;
        size_t got = std::count_if(s.peers.begin(), s.peers.end(),
                                   [&](const SelectedPeer& sp) { return sp.tier == TierKind::branch_reflectors; });
        CHECK(got == std::min(reachable, numwant));
      }
      ++checked;
    }
  }
  CHECK(checked > 10'000);
  CHECK(wan > 100);  // the generator does exercise the WAN rules
}

TEST_CASE("property: over one interval, hand-outs of same-branch peers are spread evenly (within 1 of the mean)") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    SplitMix64 gen(seed);
    SwarmFixture f;
    size_t holders = 5 + gen.below(40), requesters = 50 + gen.below(250);
    for (size_t i = 0; i < holders; ++i) f.add("h" + std::to_string(i), NodeRole::endpoint, "b", random_left(gen) / 2);
    for (size_t i = 0; i < requesters; ++i) f.add("n" + std::to_string(i), NodeRole::endpoint, "b", kTotal);
    PeerSelectionOptions o;
    o.max_handouts_per_peer = 0;  // spreading alone, without the cap
    SplitMix64 rng(seed);
    std::map<std::string, size_t> count;
    size_t numwant = 1 + gen.below(10), total = 0;
    for (size_t i = 0; i < requesters; ++i) {
      for (const SelectedPeer& sp : select_peers(f.req("n" + std::to_string(i)), f.swarm, numwant, o, rng, 5).peers) {
        ++count[sp.peer->node_id];
        ++total;
      }
    }
    INFO("seed " << seed << " holders " << holders << " requesters " << requesters << " numwant " << numwant);
    size_t max = 0, min = SIZE_MAX, holding = 0;
    for (size_t i = 0; i < holders; ++i) {
      const PeerEntry* h = f.swarm.find("h" + std::to_string(i));
      if (!h->has_pieces) continue;  // never handed out: nothing to give
      ++holding;
      size_t n = count["h" + std::to_string(i)];
      max = std::max(max, n);
      min = std::min(min, n);
    }
    if (holding == 0) continue;
    double mean = double(total) / double(holding);
    CHECK(double(max) <= mean + 1.0);
    CHECK(double(min) >= mean - 1.0);
  }
}

TEST_CASE("property: the origin's grants are shared fairly: every branch holds min(K, its reflectors), whatever the order") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    SplitMix64 gen(seed);
    SwarmLimits l;
    l.origin_grants.per_branch = 1 + gen.below(3);
    l.origin_grants.total = 1000;
    l.origin_grants.ttl_s = 3600;  // outlasts the run's three rounds (0, 600, 1200 s)
    SwarmFixture f(l);
    f.add("O", NodeRole::origin, "", 0);
    std::vector<std::string> reflectors;
    std::map<std::string, size_t> per_branch;
    size_t nb = 2 + gen.below(8);
    for (size_t b = 0; b < nb; ++b) {
      // One branch is much bigger than the others: it must not take more.
      size_t n = b == 0 ? 30 : 1 + gen.below(6);
      for (size_t i = 0; i < n; ++i) {
        std::string id = "b" + std::to_string(b) + "-r" + std::to_string(i);
        f.add(id, NodeRole::reflector, "b" + std::to_string(b), kTotal);
        reflectors.push_back(id);
      }
      per_branch["b" + std::to_string(b)] = n;
    }
    SplitMix64 rng(seed);
    std::map<std::string, std::set<std::string>> granted;  // branch -> reflectors handed the origin
    std::map<std::string, std::set<std::string>> asked;    // branch -> reflectors that announced
    for (int round = 0; round < 3; ++round) {
      for (size_t k = 0; k < reflectors.size(); ++k) {
        const std::string& id = reflectors[gen.below(reflectors.size())];
        asked[f.swarm.find(id)->branch].insert(id);
        Selection s = select_peers(f.req(id), f.swarm, 50, {}, rng, round * 600);
        for (const SelectedPeer& sp : s.peers)
          if (sp.peer->role == NodeRole::origin) granted[f.swarm.find(id)->branch].insert(id);
      }
    }
    INFO("seed " << seed << " K " << l.origin_grants.per_branch);
    for (auto& [b, n] : per_branch) {
      CHECK(f.swarm.origin_grants().held(b) <= l.origin_grants.per_branch);
      CHECK(granted[b].size() <= l.origin_grants.per_branch);  // grants last ttl > this run
      // Equal shares: each branch got exactly min(K, reflectors that asked), whatever its size.
      CHECK(granted[b].size() == std::min<size_t>(l.origin_grants.per_branch, asked[b].size()));
    }
    CHECK(granted["b0"].size() == l.origin_grants.per_branch);  // the big branch asked often enough to fill its share
  }
}
