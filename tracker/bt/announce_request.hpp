// The announce request (BEP 3, BEP 23 compact, BEP 7 IPv6, BEP 21 paused),
// parsed strictly from the raw query string.
//
// Parameters (one occurrence each unless noted; unknown keys are ignored):
//   info_hash   required, 20 bytes: for our v2-only torrents the first 20 bytes
//               of the SHA-256 info-hash (see info_hash.hpp)
//   peer_id     required, 20 bytes
//   port        required, 1..65535
//   uploaded, downloaded, left   required, decimal, 0..2^63-1
//   event       optional: started|completed|stopped|paused or empty
//   compact     optional 0|1 (default 1)    no_peer_id   optional 0|1
//   numwant     optional 0..QueryLimits' kMaxNumwantParam (the service clamps)
//   key         optional, 1..64 printable bytes (the client's session key)
//   bckey       optional here, required by the service: the per-node tracker
//               key (16..128 bytes of [A-Za-z0-9_-]) that the tracker issues
//               at enrollment and writes into the announce URL's query
//   ip          optional, a literal IPv4/IPv6 address (no hostnames)
//   ipv4, ipv6  optional, up to kMaxAddressParams each (BEP 7): an address or
//               an endpoint ("a.b.c.d:port", "[v6]:port")
//   corrupt, redundant, supportcrypto, requirecrypto, cryptoport, trackerid:
//               accepted and ignored (libtorrent sends some of them)
// A duplicated single-valued key is refused: two info_hash values would make
// the request mean two things.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/bt/ip_address.hpp"
#include "tracker/bt/query.hpp"

namespace bc::tracker::bt {

inline constexpr int64_t kMaxNumwantParam = 10'000;  // numwant above this is refused as nonsense
inline constexpr size_t kMaxAddressParams = 4;       // ipv4= and ipv6= occurrences, each
inline constexpr size_t kMinNodeKeyBytes = 16;
inline constexpr size_t kMaxNodeKeyBytes = 128;
inline constexpr size_t kMaxClientKeyBytes = 64;
inline constexpr const char* kNodeKeyParam = "bckey";

enum class AnnounceEvent { none, started, completed, stopped, paused };
const char* to_string(AnnounceEvent e);

struct AnnounceRequest {
  InfoHash info_hash;
  std::array<uint8_t, 20> peer_id{};
  uint16_t port = 0;
  uint64_t uploaded = 0;
  uint64_t downloaded = 0;
  uint64_t left = 0;
  AnnounceEvent event = AnnounceEvent::none;
  bool compact = true;
  bool no_peer_id = false;
  std::optional<uint32_t> numwant;   // as sent; the service applies its default and cap
  std::string key;                   // client session key; empty when absent
  std::string node_key;              // bckey; empty when absent
  std::optional<IpAddress> ip;       // `ip=`
  std::vector<PeerEndpoint> ipv4;    // `ipv4=`; port 0 when the client sent an address only
  std::vector<PeerEndpoint> ipv6;    // `ipv6=`; likewise
};

// Parses the query string of GET /announce?... . invalid_argument naming the
// parameter and the reason on any violation; never throws.
Result<AnnounceRequest> parse_announce_query(std::string_view query, const QueryLimits& limits = {});

// Decimal digits only, no sign, value <= max. `what` names the parameter.
Result<uint64_t> parse_decimal(std::string_view text, uint64_t max, std::string_view what);

// A node key is 16..128 bytes of [A-Za-z0-9_-] (hex or URL-safe base64).
bool is_valid_node_key(std::string_view key);

}  // namespace bc::tracker::bt
