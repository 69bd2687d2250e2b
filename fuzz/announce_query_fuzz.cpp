// libFuzzer target: the BitTorrent query parsers and, through BtService, the
// registry, the peer-selection policy and the bencoder, on arbitrary query
// strings. Invariants are checked with __builtin_trap() so a violation is a
// crash libFuzzer reports and minimises. The service (and its registry) lives
// across inputs, bounded by small limits, so swarms build up as in a real run;
// a crash that depends on earlier inputs reproduces by rerunning the corpus.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tracker/bt/announce_request.hpp"
#include "tracker/bt/bt_service.hpp"
#include "tracker/bt/scrape_request.hpp"

using namespace bc;
using namespace bc::tracker::bt;

namespace {

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// Any key is enrolled: its first bytes choose role and branch, so inputs reach
// every policy rule.
class AnyDirectory : public BtDirectory {
 public:
  Result<NodeIdentity> node_for_key(std::string_view key, const IpAddress&) override {
    NodeIdentity id;
    id.node_id = std::string(key.substr(0, 20));
    id.role = key[0] % 3 == 0 ? NodeRole::reflector : key[0] % 3 == 1 ? NodeRole::endpoint : NodeRole::origin;
    id.branch = key[1] % 4 == 0 ? "" : std::string(1, char('a' + key[1] % 4));
    id.parent_branch = key[2] % 3 == 0 ? "a" : "";
    id.branch_has_live_reflector = key[3] % 2 == 0;
    return id;
  }
  Result<uint64_t> torrent_bytes(const InfoHash& h) override {
    if (h.bytes[0] % 5 == 0) return Status::not_found("unregistered");
    return uint64_t(1) << (h.bytes[1] % 40);
  }
};

BtService& service() {
  static AnyDirectory dir;
  static BtService svc([] {
    BtServiceOptions o;
    o.registry.max_swarms = 64;
    o.registry.swarm.max_peers = 256;
    return o;
  }(), dir);
  return svc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view q(reinterpret_cast<const char*>(data), size);
  auto a = parse_announce_query(q);
  if (a.ok()) {
    FUZZ_CHECK(a->port != 0);
    FUZZ_CHECK(!a->numwant || *a->numwant <= kMaxNumwantParam);
    FUZZ_CHECK(a->ipv4.size() <= kMaxAddressParams && a->ipv6.size() <= kMaxAddressParams);
    FUZZ_CHECK(a->node_key.empty() || is_valid_node_key(a->node_key));
    FUZZ_CHECK(a->left <= uint64_t(INT64_MAX));
  } else {
    FUZZ_CHECK(!a.status().message().empty());
  }
  auto s = parse_scrape_query(q);
  if (s.ok()) FUZZ_CHECK(!s->info_hashes.empty() && s->info_hashes.size() <= kMaxScrapeHashes);

  static int64_t now_s = 0;
  now_s += 7;
  IpAddress src = IpAddress::v4_from(10, 0, uint8_t(size >> 8), uint8_t(size));
  std::string body = service().announce(q, src, now_s);
  FUZZ_CHECK(body.size() >= 2 && body.front() == 'd' && body.back() == 'e');
  AnnounceResult r = service().announce_result(q, src, now_s);
  if (r.status.ok()) FUZZ_CHECK(r.response.peers.size() <= 2 * 200);
  body = service().scrape(q, src, now_s);
  FUZZ_CHECK(body.front() == 'd' && body.back() == 'e');
  if (now_s % 700 == 0) service().expire(now_s);
  FUZZ_CHECK(service().registry().swarm_count() <= 64);
  return 0;
}
