#include "tracker/bt/peer.hpp"

namespace bc::tracker::bt {

const char* to_string(NodeRole r) {
  switch (r) {
    case NodeRole::endpoint: return "endpoint";
    case NodeRole::reflector: return "reflector";
    case NodeRole::origin: return "origin";
  }
  return "?";
}

uint32_t completeness_permille(uint64_t left_bytes, uint64_t total_bytes) {
  if (left_bytes == 0) return kPermilleComplete;
  if (total_bytes == 0 || left_bytes >= total_bytes) return 0;
  // (total - left) * 1000 / total without overflow for totals up to 2^63.
  unsigned __int128 done = total_bytes - left_bytes;
  uint32_t p = uint32_t(done * kPermilleComplete / total_bytes);
  return p >= kPermilleComplete ? kPermilleComplete - 1 : p;
}

}  // namespace bc::tracker::bt
