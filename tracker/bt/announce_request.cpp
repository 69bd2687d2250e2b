#include "tracker/bt/announce_request.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace bc::tracker::bt {
namespace {

constexpr uint64_t kMaxByteCount = uint64_t(INT64_MAX);

Status bad(std::string_view key, const std::string& why) {
  return Status::invalid_argument(std::string(key) + ": " + why);
}

Result<bool> parse_flag(std::string_view v, std::string_view what) {
  if (v == "0") return false;
  if (v == "1") return true;
  return bad(what, "expected 0 or 1, got " + quoted(v));
}

Result<AnnounceEvent> parse_event(std::string_view v) {
  if (v.empty()) return AnnounceEvent::none;
  if (v == "started") return AnnounceEvent::started;
  if (v == "completed") return AnnounceEvent::completed;
  if (v == "stopped") return AnnounceEvent::stopped;
  if (v == "paused") return AnnounceEvent::paused;
  return bad("event", "expected started, completed, stopped, paused or empty, got " + quoted(v));
}

// "addr" or "a.b.c.d:port" / "[v6]:port" (BEP 7).
Result<PeerEndpoint> parse_endpoint(std::string_view v, bool want_v6, std::string_view what) {
  PeerEndpoint ep;
  std::string_view addr = v;
  std::string_view port;
  bool has_port = false;
  if (want_v6 && !v.empty() && v.front() == '[') {
    size_t close = v.find(']');
    if (close == std::string_view::npos) return bad(what, "'[' without ']' in " + quoted(v));
    addr = v.substr(1, close - 1);
    std::string_view rest = v.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad(what, "expected ':port' after ']' in " + quoted(v));
      port = rest.substr(1);
      has_port = true;
    }
  } else if (!want_v6) {
    size_t colon = v.find(':');
    if (colon != std::string_view::npos && v.find(':', colon + 1) == std::string_view::npos) {
      addr = v.substr(0, colon);
      port = v.substr(colon + 1);
      has_port = true;
    }
  }
  auto ip = IpAddress::parse(addr);
  if (!ip || ip->v6 != want_v6)
    return bad(what, quoted(addr) + " is not a literal " + (want_v6 ? "IPv6" : "IPv4") +
                         " address");
  ep.address = *ip;
  if (has_port) {
    BC_ASSIGN_OR_RETURN(uint64_t p, parse_decimal(port, 65535, what));
    if (p == 0) return bad(what, "port 0 is out of range 1..65535");
    ep.port = uint16_t(p);
  }
  return ep;
}

bool printable(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

struct Seen {
  std::set<std::string_view> keys;
  // False (and an error) when a single-valued key repeats.
  Status once(std::string_view key) {
    if (!keys.insert(key).second)
      return Status::invalid_argument(std::string(key) + ": given more than once");
    return Status();
  }
};

// Applies one parameter to `r`. Keys outside the known set are ignored.
Status apply_param(const QueryParam& p, AnnounceRequest& r, Seen& seen) {
  const std::string& k = p.key;
  const std::string& v = p.value;
  if (k == "info_hash") {
    BC_RETURN_IF_ERROR(seen.once("info_hash"));
    auto h = InfoHash::from_raw(v);
    if (!h)
      return bad(k, "expected 20 bytes after percent-decoding, got " + std::to_string(v.size()) +
                        " (a v2 torrent announces the first 20 bytes of its SHA-256 info-hash)");
    r.info_hash = *h;
  } else if (k == "peer_id") {
    BC_RETURN_IF_ERROR(seen.once("peer_id"));
    if (v.size() != 20) return bad(k, "expected 20 bytes after percent-decoding, got " + std::to_string(v.size()));
    std::memcpy(r.peer_id.data(), v.data(), 20);
  } else if (k == "port") {
    BC_RETURN_IF_ERROR(seen.once("port"));
    BC_ASSIGN_OR_RETURN(uint64_t port, parse_decimal(v, 65535, k));
    if (port == 0) return bad(k, "0 is out of range 1..65535");
    r.port = uint16_t(port);
  } else if (k == "uploaded" || k == "downloaded" || k == "left") {
    BC_RETURN_IF_ERROR(seen.once(k == "uploaded" ? "uploaded" : k == "left" ? "left" : "downloaded"));
    BC_ASSIGN_OR_RETURN(uint64_t n, parse_decimal(v, kMaxByteCount, k));
    (k == "uploaded" ? r.uploaded : k == "left" ? r.left : r.downloaded) = n;
  } else if (k == "event") {
    BC_RETURN_IF_ERROR(seen.once("event"));
    BC_ASSIGN_OR_RETURN(r.event, parse_event(v));
  } else if (k == "compact") {
    BC_RETURN_IF_ERROR(seen.once("compact"));
    BC_ASSIGN_OR_RETURN(r.compact, parse_flag(v, k));
  } else if (k == "no_peer_id") {
    BC_RETURN_IF_ERROR(seen.once("no_peer_id"));
    BC_ASSIGN_OR_RETURN(r.no_peer_id, parse_flag(v, k));
  } else if (k == "numwant") {
    BC_RETURN_IF_ERROR(seen.once("numwant"));
    BC_ASSIGN_OR_RETURN(uint64_t n, parse_decimal(v, kMaxNumwantParam, k));
    r.numwant = uint32_t(n);
  } else if (k == "key") {
    BC_RETURN_IF_ERROR(seen.once("key"));
    if (v.empty() || v.size() > kMaxClientKeyBytes || !printable(v))
      return bad(k, "expected 1.." + std::to_string(kMaxClientKeyBytes) + " printable bytes");
    r.key = v;
  } else if (k == kNodeKeyParam) {
    BC_RETURN_IF_ERROR(seen.once(kNodeKeyParam));
    if (!is_valid_node_key(v))
      return bad(k, "expected " + std::to_string(kMinNodeKeyBytes) + ".." + std::to_string(kMaxNodeKeyBytes) +
                        " bytes of [A-Za-z0-9_-], got " + std::to_string(v.size()) + " bytes");
    r.node_key = v;
  } else if (k == "ip") {
    BC_RETURN_IF_ERROR(seen.once("ip"));
    auto ip = IpAddress::parse(v);
    if (!ip) return bad(k, quoted(v) + " is not a literal IP address (hostnames are refused)");
    r.ip = *ip;
  } else if (k == "ipv4" || k == "ipv6") {
    bool v6 = k == "ipv6";
    auto& list = v6 ? r.ipv6 : r.ipv4;
    if (list.size() == kMaxAddressParams)
      return bad(k, "given more than " + std::to_string(kMaxAddressParams) + " times");
    BC_ASSIGN_OR_RETURN(PeerEndpoint ep, parse_endpoint(v, v6, k));
    list.push_back(ep);
  }
  return Status();
}

}  // namespace

const char* to_string(AnnounceEvent e) {
  switch (e) {
    case AnnounceEvent::none: return "";
    case AnnounceEvent::started: return "started";
    case AnnounceEvent::completed: return "completed";
    case AnnounceEvent::stopped: return "stopped";
    case AnnounceEvent::paused: return "paused";
  }
  return "?";
}

Result<uint64_t> parse_decimal(std::string_view text, uint64_t max, std::string_view what) {
  if (text.empty()) return bad(what, "expected a decimal number, got an empty value");
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return bad(what, "expected a decimal number, got " + quoted(text));
    uint64_t d = uint64_t(c - '0');
    if (d > max || n > (max - d) / 10) {
      std::string why = printable_value(text);
      why.insert(0, 1, '\'');
      why += "' exceeds ";
      why += std::to_string(max);
      return bad(what, why);
    }
    n = n * 10 + d;
  }
  return n;
}

bool is_valid_node_key(std::string_view key) {
  if (key.size() < kMinNodeKeyBytes || key.size() > kMaxNodeKeyBytes) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Result<AnnounceRequest> parse_announce_query(std::string_view query, const QueryLimits& limits) {
  BC_ASSIGN_OR_RETURN(std::vector<QueryParam> params, split_query(query, limits));
  AnnounceRequest r;
  Seen seen;
  for (const QueryParam& p : params) BC_RETURN_IF_ERROR(apply_param(p, r, seen));
  for (const char* required : {"info_hash", "peer_id", "port", "uploaded", "downloaded", "left"})
    if (!seen.keys.count(required)) return bad(required, "missing (required by BEP 3)");
  return r;
}

}  // namespace bc::tracker::bt
