// A swarm built by hand for the policy suites.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "tracker/bt/policy/select_peers.hpp"
#include "tracker/bt/swarm.hpp"

namespace bc::tracker::bt::test {

inline constexpr uint64_t kTotal = 1000;

struct SwarmFixture {
  SwarmLimits limits;
  Swarm swarm;
  uint32_t next_ip = 1;

  explicit SwarmFixture(SwarmLimits l = {}) : limits(l), swarm(kTotal, limits) {}

  // Adds (or updates) a node. left: bytes still wanted out of kTotal.
  const PeerEntry* add(const std::string& id, NodeRole role, const std::string& branch, uint64_t left,
                       bool v4 = true, bool v6 = false, int64_t now_s = 0) {
    PeerUpdate u;
    u.node_id = id;
    u.role = role;
    u.branch = branch;
    uint32_t n = next_ip++;
    if (v4) u.v4 = PeerEndpoint{IpAddress::v4_from(10, uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)), 6881};
    if (v6) {
      IpAddress a = *IpAddress::parse("fd00::");
      a.bytes[13] = uint8_t(n >> 16);
      a.bytes[14] = uint8_t(n >> 8);
      a.bytes[15] = uint8_t(n);
      u.v6 = PeerEndpoint{a, 6881};
    }
    u.left_bytes = left;
    return swarm.upsert(u, now_s).value();
  }

  Requester req(const std::string& id, const std::string& parent = "", bool live = true) const {
    return Requester::from_entry(*swarm.find(id), parent, live);
  }
};

inline std::vector<std::string> ids(const Selection& s) {
  std::vector<std::string> out;
  for (const SelectedPeer& p : s.peers) out.push_back(p.peer->node_id);
  return out;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace bc::tracker::bt::test
