// The 20-byte key a BitTorrent client announces and scrapes a torrent by.
//
// Our layer torrents are v2-only (BEP 52). libtorrent 2.0 announces a v2
// torrent with the v2 info-hash (SHA-256, 32 bytes) truncated to its first 20
// bytes (`info_hash_t::get(protocol_version::V2)`), so the tracker keys its
// swarms by that truncation. A hybrid torrent would announce twice (v1 and
// truncated v2); we build none.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "layers/crypto/sha256.hpp"

namespace bc::tracker::bt {

struct InfoHash {
  static constexpr size_t kBytes = 20;
  std::array<uint8_t, kBytes> bytes{};

  // REQUIRES: raw.size() == kBytes; nullopt otherwise.
  static std::optional<InfoHash> from_raw(std::string_view raw);
  // The announce key of a v2 torrent: the first 20 bytes of its SHA-256 info-hash.
  static InfoHash from_v2(const Sha256Digest& v2);
  // 64 hex digits (the manifest's `info_hash` field) -> truncated key; nullopt when malformed.
  static std::optional<InfoHash> from_v2_hex(std::string_view hex64);

  std::string_view raw() const { return {reinterpret_cast<const char*>(bytes.data()), kBytes}; }
  std::string to_hex() const;

  friend bool operator==(const InfoHash&, const InfoHash&) = default;
  friend auto operator<=>(const InfoHash&, const InfoHash&) = default;
};

struct InfoHashHash {
  size_t operator()(const InfoHash& h) const noexcept {
    // SHA digests are uniformly distributed: the first word is a fine hash.
    size_t v;
    std::memcpy(&v, h.bytes.data(), sizeof(v));
    return v;
  }
};

}  // namespace bc::tracker::bt
