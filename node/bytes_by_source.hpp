// Sums of payload bytes by source (origin over the WAN, reflector, branch
// peer), as both node programs report them to the tracker.
#pragma once

#include <map>

#include "layers/swarm/ip_subnet.hpp"

namespace bc::node {

void add_to(BytesBySource& sum, const BytesBySource& b);

// The sum of every value of a per-key map (per layer, usually).
template <typename Key>
BytesBySource sum_by_source(const std::map<Key, BytesBySource>& per_key) {
  BytesBySource sum;
  for (const auto& [key, b] : per_key) add_to(sum, b);
  return sum;
}

}  // namespace bc::node
