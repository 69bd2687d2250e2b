#include "netsim/wanem/payload_tally.hpp"

#include <algorithm>

namespace bc::netsim {

namespace {
std::uint32_t be32(std::span<const std::uint8_t> p, std::size_t at) {
  return (std::uint32_t{p[at]} << 24) | (std::uint32_t{p[at + 1]} << 16) | (std::uint32_t{p[at + 2]} << 8) | p[at + 3];
}
}  // namespace

std::uint32_t l4_payload_bytes(std::span<const std::uint8_t> p) {
  if (p.size() < 20 || (p[0] >> 4) != 4) return 0;
  const std::size_t ihl = std::size_t(p[0] & 0x0f) * 4;
  const std::size_t total = std::min<std::size_t>(p.size(), (std::size_t{p[2]} << 8) | p[3]);
  if (ihl < 20 || total < ihl) return 0;
  std::size_t header = ihl;
  const bool first_fragment = ((std::size_t{p[6] & 0x1f} << 8) | p[7]) == 0;
  if (first_fragment && p[9] == 6) {  // TCP: data offset in 32-bit words
    if (total < ihl + 20) return 0;
    header += std::size_t(p[ihl + 12] >> 4) * 4;
  } else if (first_fragment && p[9] == 17) {
    header += 8;
  }
  return total > header ? static_cast<std::uint32_t>(total - header) : 0;
}

void PayloadTally::add(std::span<const std::uint8_t> p) {
  const std::uint32_t payload = l4_payload_bytes(p);
  totals_.ip_bytes += p.size();
  totals_.payload_bytes += payload;
  if (is_marked(p)) {
    totals_.marked_ip_bytes += p.size();
    totals_.marked_payload_bytes += payload;
  }
}

bool PayloadTally::is_marked(std::span<const std::uint8_t> p) const {
  return marked_ != 0 && p.size() >= 20 && (p[0] >> 4) == 4 && (be32(p, 12) == marked_ || be32(p, 16) == marked_);
}

}  // namespace bc::netsim
