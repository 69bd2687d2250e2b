#include "tracker/bt/info_hash.hpp"

#include <algorithm>

#include "layers/util/hex.hpp"

namespace bc::tracker::bt {

std::optional<InfoHash> InfoHash::from_raw(std::string_view raw) {
  if (raw.size() != kBytes) return std::nullopt;
  InfoHash h;
  std::memcpy(h.bytes.data(), raw.data(), kBytes);
  return h;
}

InfoHash InfoHash::from_v2(const Sha256Digest& v2) {
  InfoHash h;
  std::copy_n(v2.begin(), kBytes, h.bytes.begin());
  return h;
}

std::optional<InfoHash> InfoHash::from_v2_hex(std::string_view hex64) {
  if (hex64.size() != 64) return std::nullopt;
  auto bytes = from_hex(hex64);
  if (!bytes) return std::nullopt;
  InfoHash h;
  std::copy_n(bytes->begin(), kBytes, h.bytes.begin());
  return h;
}

std::string InfoHash::to_hex() const { return bc::to_hex(bytes); }

}  // namespace bc::tracker::bt
