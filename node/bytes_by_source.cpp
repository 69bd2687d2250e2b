#include "node/bytes_by_source.hpp"

namespace bc::node {

void add_to(BytesBySource& sum, const BytesBySource& b) {
  sum.origin_wan += b.origin_wan;
  sum.reflector += b.reflector;
  sum.branch_peer += b.branch_peer;
}

}  // namespace bc::node
