#include "netsim/wanem/resend_tally.hpp"

#include <algorithm>

namespace bc::netsim {

namespace {
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
constexpr std::uint8_t kUtpData = 0;  // ST_DATA
constexpr std::uint8_t kTcpSyn = 0x02;
}  // namespace

ResendTally::Flow& ResendTally::flow(const FlowKey& k, bool& is_new) {
  auto it = flows_.find(k);
  is_new = it == flows_.end();
  if (!is_new) return it->second;
  if (flows_.size() >= kMaxFlows) {
    flows_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(k);
  return flows_[k];
}

// Offsets from the flow's first sequence: a connection sends < 2 GiB here, so
// no wrap handling beyond the subtraction.
bool ResendTally::tcp_seen_before(Flow& f, std::uint32_t start, std::uint32_t end) {
  auto& r = f.tcp_ranges;
  auto it = std::upper_bound(r.begin(), r.end(), std::make_pair(start, UINT32_MAX));
  if (it != r.begin() && std::prev(it)->first <= start && std::prev(it)->second >= end) return true;
  // Insert [start, end) and merge neighbours it touches.
  it = r.insert(std::upper_bound(r.begin(), r.end(), std::make_pair(start, end)), {start, end});
  if (it != r.begin() && std::prev(it)->second >= it->first) {
    std::prev(it)->second = std::max(std::prev(it)->second, it->second);
    it = std::prev(r.erase(it));
  }
  while (std::next(it) != r.end() && std::next(it)->first <= it->second) {
    it->second = std::max(it->second, std::next(it)->second);
    r.erase(std::next(it));
  }
  if (r.size() > kMaxTcpRanges) {
    r[0].second = std::max(r[0].second, r[1].second);
    r.erase(r.begin() + 1);
  }
  return false;
}

void ResendTally::add(std::span<const std::uint8_t> p) {
  if (p.size() < 20 || (p[0] >> 4) != 4) return;
  const std::size_t ihl = (p[0] & 0x0f) * 4u;
  const std::size_t total = be16(&p[2]);
  if (ihl < 20 || total > p.size() || total < ihl + 8) return;
  const std::uint8_t* l4 = p.data() + ihl;
  bool is_new = false;
  if (p[9] == 6 && total >= ihl + 20) {
    const FlowKey key{be32(&p[12]), be32(&p[16]), be16(l4), be16(l4 + 2), p[9], 0};
    const bool syn = (l4[13] & kTcpSyn) != 0;
    const std::size_t doff = (l4[12] >> 4) * 4u;
    if (syn) {  // a new connection on these ports: its data starts at seq + 1
      Flow& f = flow(key, is_new);
      f.tcp_base = be32(l4 + 4) + 1;
      f.tcp_ranges.clear();
      return;
    }
    if (total < ihl + doff || total == ihl + doff) return;  // no payload (pure ack)
    const std::uint32_t len = static_cast<std::uint32_t>(total - ihl - doff);
    Flow& f = flow(key, is_new);
    if (is_new) f.tcp_base = be32(l4 + 4);
    const std::uint32_t start = be32(l4 + 4) - f.tcp_base;
    if (tcp_seen_before(f, start, start + len)) tcp_bytes_ += total, tcp_packets_++;
  } else if (p[9] == 17 && total >= ihl + 8 + 20) {
    const std::uint8_t* utp = l4 + 8;
    if ((utp[0] & 0x0f) != 1 || (utp[0] >> 4) != kUtpData) return;
    const std::uint16_t seq = be16(utp + 16);
    const FlowKey key{be32(&p[12]), be32(&p[16]), be16(l4), be16(l4 + 2), p[9], be16(utp + 2)};
    Flow& f = flow(key, is_new);
    if (!f.utp_seen) f.utp_seen = std::make_unique<std::bitset<65536>>();
    if (f.utp_seen->test(seq)) {
      utp_bytes_ += total, utp_packets_++;
      return;
    }
    f.utp_seen->set(seq);
    f.utp_seen->reset(static_cast<std::uint16_t>(seq + 32768));  // forget the half-space ahead before seq_nr wraps
  }
}

nlohmann::json ResendTally::to_json() const {
  return {{"tcp_bytes", tcp_bytes_}, {"tcp_packets", tcp_packets_}, {"utp_bytes", utp_bytes_},
          {"utp_packets", utp_packets_}};
}

}  // namespace bc::netsim
