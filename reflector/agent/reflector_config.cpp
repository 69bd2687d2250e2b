#include "reflector/agent/reflector_config.hpp"

#include <sstream>
#include <toml++/toml.h>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "node/tracker_url.hpp"

namespace bc::reflector {

namespace {
constexpr size_t kMaxConfigBytes = 1 << 20;

std::string quoted(const std::string& s) {
  std::ostringstream o;
  o << toml::value<std::string>(s);
  return o.str();
}
}  // namespace

Status ReflectorConfig::validate() const {
  auto url = node::parse_node_tracker_url(tracker_url);
  if (!url.ok()) return url.status().with_context("tracker_url");
  BC_RETURN_IF_ERROR(node::check_tracker_transport(*url, tracker_ca_file, insecure_plain_http));
  if (identity_key_file.empty()) return Status::invalid_argument("identity_key_file is required");
  if (!public_key_from_hex(tracker_public_key).ok())
    return Status::invalid_argument("tracker_public_key must be 64 hex digits (the tracker's Ed25519 key)");
  if (cache_dir.empty()) return Status::invalid_argument("cache_dir is required");
  if (quota_bytes == 0) return Status::invalid_argument("quota_bytes must be > 0");
  if (listen.empty()) return Status::invalid_argument("listen must not be empty");
  if (upload_limit_bytes_per_s < 0 || download_limit_bytes_per_s < 0)
    return Status::invalid_argument("rate limits must be >= 0");
  if (max_parallel_fetches < 1 || max_parallel_fetches > 64)
    return Status::invalid_argument("max_parallel_fetches must be in 1..64");
  if (poll_interval_ms < 100 || heartbeat_interval_ms < 100)
    return Status::invalid_argument("poll_interval_ms and heartbeat_interval_ms must be >= 100");
  if (liveness_interval_ms < 100 || liveness_interval_ms > 60'000)
    return Status::invalid_argument("liveness_interval_ms must be in [100, 60000] (the tracker's reflector_live_s "
                                    "is 7 s by default: keep it well below)");
  return Status();
}

Result<ReflectorConfig> parse_reflector_config(const std::string& text) {
  if (text.size() > kMaxConfigBytes) return Status::invalid_argument("config is larger than 1 MiB");
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(std::string("config is not valid TOML: ") + std::string(e.description()));
  }
  static const char* kKnown[] = {"tracker_url", "tracker_ca_file", "insecure_plain_http", "insecure_plain_peers", "identity_key_file", "tracker_public_key", "registration_token",
                                 "branch", "address", "cache_dir", "quota_bytes", "listen",
                                 "upload_limit_bytes_per_s", "download_limit_bytes_per_s",
                                 "max_parallel_fetches", "poll_interval_ms", "heartbeat_interval_ms", "liveness_interval_ms",
                                 "wan_governor", "utp"};
  for (const auto& [k, v] : t) {
    bool known = false;
    for (const char* n : kKnown) known = known || k.str() == n;
    if (!known) return Status::invalid_argument("config: unknown key '" + std::string(k.str()) + "'");
  }
  ReflectorConfig c;
  auto str = [&](const char* k, std::string& out) { if (auto v = t[k].value<std::string>()) out = *v; };
  auto num = [&](const char* k, auto& out) -> Status {
    if (!t.contains(k)) return Status();
    auto v = t[k].value<int64_t>();
    if (!v || *v < 0) return Status::invalid_argument(std::string("config: ") + k + " must be a non-negative integer");
    out = static_cast<std::decay_t<decltype(out)>>(*v);
    return Status();
  };
  str("tracker_url", c.tracker_url);
  str("tracker_ca_file", c.tracker_ca_file);
  str("identity_key_file", c.identity_key_file);
  str("tracker_public_key", c.tracker_public_key);
  str("registration_token", c.registration_token);
  str("branch", c.branch);
  str("address", c.address);
  str("cache_dir", c.cache_dir);
  str("listen", c.listen);
  BC_RETURN_IF_ERROR(num("quota_bytes", c.quota_bytes));
  BC_RETURN_IF_ERROR(num("upload_limit_bytes_per_s", c.upload_limit_bytes_per_s));
  BC_RETURN_IF_ERROR(num("download_limit_bytes_per_s", c.download_limit_bytes_per_s));
  BC_RETURN_IF_ERROR(num("max_parallel_fetches", c.max_parallel_fetches));
  BC_RETURN_IF_ERROR(num("poll_interval_ms", c.poll_interval_ms));
  BC_RETURN_IF_ERROR(num("heartbeat_interval_ms", c.heartbeat_interval_ms));
  BC_RETURN_IF_ERROR(num("liveness_interval_ms", c.liveness_interval_ms));
  if (t.contains("wan_governor")) {
    // as_boolean, not value<bool>: toml++ would read 1 as true.
    auto* b = t["wan_governor"].as_boolean();
    if (!b) return Status::invalid_argument("config: wan_governor must be true or false");
    c.wan_governor = b->get();
  }
  if (t.contains("insecure_plain_http")) {
    auto* b = t["insecure_plain_http"].as_boolean();
    if (!b) return Status::invalid_argument("config: insecure_plain_http must be true or false");
    c.insecure_plain_http = b->get();
  }
  if (t.contains("insecure_plain_peers")) {
    auto* b = t["insecure_plain_peers"].as_boolean();
    if (!b) return Status::invalid_argument("config: insecure_plain_peers must be true or false");
    c.insecure_plain_peers = b->get();
  }
  if (t.contains("utp")) {
    auto* b = t["utp"].as_boolean();
    if (!b) return Status::invalid_argument("config: utp must be true or false");
    c.utp = b->get();
  }
  BC_RETURN_IF_ERROR(c.validate().with_context("config"));
  return c;
}

Result<ReflectorConfig> load_reflector_config(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, kMaxConfigBytes));
  auto c = parse_reflector_config(text);
  if (!c.ok()) return c.status().with_context(path);
  return c;
}

std::string render_reflector_config(const ReflectorConfig& c) {
  std::ostringstream o;
  o << "tracker_url = " << quoted(c.tracker_url) << "\n"
    << "tracker_ca_file = " << quoted(c.tracker_ca_file) << "\n"
    << "insecure_plain_http = " << (c.insecure_plain_http ? "true" : "false") << "\n"
    << "insecure_plain_peers = " << (c.insecure_plain_peers ? "true" : "false") << "\n"
    << "identity_key_file = " << quoted(c.identity_key_file) << "\n"
    << "tracker_public_key = " << quoted(c.tracker_public_key) << "\n"
    << "registration_token = " << quoted(c.registration_token) << "\n"
    << "branch = " << quoted(c.branch) << "\n"
    << "address = " << quoted(c.address) << "\n"
    << "cache_dir = " << quoted(c.cache_dir) << "\n"
    << "quota_bytes = " << c.quota_bytes << "\n"
    << "listen = " << quoted(c.listen) << "\n"
    << "upload_limit_bytes_per_s = " << c.upload_limit_bytes_per_s << "\n"
    << "download_limit_bytes_per_s = " << c.download_limit_bytes_per_s << "\n"
    << "max_parallel_fetches = " << c.max_parallel_fetches << "\n"
    << "poll_interval_ms = " << c.poll_interval_ms << "\n"
    << "heartbeat_interval_ms = " << c.heartbeat_interval_ms << "\n"
    << "liveness_interval_ms = " << c.liveness_interval_ms << "\n"
    << "wan_governor = " << (c.wan_governor ? "true" : "false") << "\n"
    << "utp = " << (c.utp ? "true" : "false") << "\n";
  return o.str();
}

}  // namespace bc::reflector
