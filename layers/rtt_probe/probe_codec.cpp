#include "layers/rtt_probe/probe_codec.hpp"

#include <algorithm>
#include <string>

namespace bc::rtt_probe {
namespace {

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

Result<size_t> encode_probe(const ProbePacket& p, std::span<uint8_t> out) {
  if (p.size_bytes < kProbeHeaderBytes || p.size_bytes > kMaxProbeBytes) {
    return Status::invalid_argument("probe size " + std::to_string(p.size_bytes) + " outside [" +
                                    std::to_string(kProbeHeaderBytes) + ", " +
                                    std::to_string(kMaxProbeBytes) + "] bytes");
  }
  if (out.size() < p.size_bytes) {
    return Status::invalid_argument("probe buffer of " + std::to_string(out.size()) +
                                    " bytes is smaller than the probe (" +
                                    std::to_string(p.size_bytes) + ")");
  }
  uint8_t* b = out.data();
  std::copy(kProbeMagic.begin(), kProbeMagic.end(), b);
  b[4] = p.reply ? kProbeFlagReply : 0;
  b[5] = b[6] = b[7] = 0;
  put_u64(b + 8, p.sequence);
  put_u64(b + 16, p.sent_us);
  std::fill(b + kProbeHeaderBytes, b + p.size_bytes, uint8_t{0});
  return p.size_bytes;
}

Result<ProbePacket> decode_probe(std::span<const uint8_t> d) {
  if (d.size() < kProbeHeaderBytes) {
    return Status::corruption("probe of " + std::to_string(d.size()) +
                              " bytes is shorter than the 24-byte header");
  }
  if (d.size() > kMaxProbeBytes) {
    return Status::corruption("probe of " + std::to_string(d.size()) + " bytes exceeds " +
                              std::to_string(kMaxProbeBytes));
  }
  if (!std::equal(kProbeMagic.begin(), kProbeMagic.end(), d.begin())) {
    return Status::corruption("probe magic is not BCP1");
  }
  if ((d[4] & ~kProbeFlagReply) != 0) {
    return Status::corruption("probe flags carry unknown bits");
  }
  if (d[5] != 0 || d[6] != 0 || d[7] != 0) {
    return Status::corruption("probe reserved bytes are not zero");
  }
  if (std::any_of(d.begin() + kProbeHeaderBytes, d.end(), [](uint8_t c) { return c != 0; })) {
    return Status::corruption("probe padding is not zero");
  }
  ProbePacket p;
  p.reply = (d[4] & kProbeFlagReply) != 0;
  p.sequence = get_u64(d.data() + 8);
  p.sent_us = get_u64(d.data() + 16);
  p.size_bytes = d.size();
  return p;
}

Result<size_t> make_echo_reply(std::span<uint8_t> d) {
  BC_ASSIGN_OR_RETURN(ProbePacket p, decode_probe(d));
  if (p.reply) return Status::invalid_argument("datagram is already a probe reply");
  d[4] |= kProbeFlagReply;
  return d.size();
}

}  // namespace bc::rtt_probe
